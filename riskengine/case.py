"""The case input contract: one complaint, as a handler records it.

Every field is documented in docs/case-format.md. Unknown fields, wrong types and unknown enum
values are rejected (``extra="forbid"``); signal ids are checked against the loaded knowledge by
:func:`riskengine.facts.check_signals`, because the model alone cannot know them.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from .bounds import CASE_LIMITS, check_after, check_raw

Industry = Literal["insurance", "banking", "securities", "ecommerce", "services", "public", "other"]
ChannelIn = Literal[
    "hotline", "online", "app", "email", "letter", "visit", "regulator_referral", "media", "social_media"
]
Category = Literal[
    "claim_denial", "surrender_refund", "misleading_sales", "service_attitude", "service_process",
    "product_quality", "delivery_delay", "fees_charges", "debt_collection", "privacy", "other",
]
DemandType = Literal["full_refund", "compensation", "apology", "explanation", "correction", "other"]
Jurisdiction = Literal["CN", "UK", "US"]
Vulnerability = Literal[
    "elderly", "disabled", "low_income", "illiterate", "minor", "seriously_ill", "bereaved", "non_native_speaker"
]
Emotion = Literal["calm", "anxious", "agitated", "hostile"]
Representative = Literal["self", "relative", "lawyer", "third_party_agent", "unknown"]

FINANCIAL_INDUSTRIES = ("insurance", "banking", "securities")


class _Strict(BaseModel):
    # defer_build (here and in every model base): a model's validator is built when first used, so a
    # command's start-up pays only for the models it touches (about 40 ms off `assess`).
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    # Ceilings on every field, present and future (riskengine/bounds.py): finite numbers only, no
    # true/false as a number, bounded text, lists and dates — checked before anything costly runs.
    @field_validator("*", mode="before")
    @classmethod
    def _within_bounds(cls, value, info: ValidationInfo):
        return check_raw(value, cls.model_fields[info.field_name].annotation, CASE_LIMITS)

    @field_validator("*", mode="after")
    @classmethod
    def _dates_in_range(cls, value):
        return check_after(value, CASE_LIMITS)


class Demand(_Strict):
    type: DemandType = Field(description="what the complainant asks for")
    amount: float | None = Field(default=None, ge=0, description="amount asked for, CNY (or local currency)")


class Complainant(_Strict):
    age: int | None = Field(default=None, ge=0, le=130)
    vulnerable: tuple[Vulnerability, ...] = ()
    emotion: Emotion | None = None
    represented_by: Representative | None = None
    occupation: str | None = Field(default=None, max_length=200)


class History(_Strict):
    prior_complaints: int | None = Field(default=None, ge=0, le=10_000, description="earlier complaints on the same matter")
    contacts_last_7_days: int | None = Field(default=None, ge=0, le=10_000)
    days_open: int | None = Field(default=None, ge=0, le=36_500)
    offers_rejected: int | None = Field(default=None, ge=0, le=10_000)
    complaints_against_seller_30d: int | None = Field(
        default=None, ge=0, le=10_000, description="e-commerce: complaints this buyer filed against the same seller in 30 days"
    )


class Case(_Strict):
    id: str = Field(min_length=1, max_length=100)
    received: dt.date
    industry: Industry
    channel: ChannelIn
    category: Category
    product: str | None = Field(default=None, max_length=500)
    amount_in_dispute: float | None = Field(default=None, ge=0)
    entitlement_amount: float | None = Field(
        default=None, ge=0,
        description="what the contract or law gives (e.g. cash value on surrender); the ceiling of any settlement",
    )
    demand: Demand | None = None
    jurisdiction: Jurisdiction = "CN"
    arbitration_agreement: bool | None = None
    group_size: int = Field(default=1, ge=1, le=1_000_000)
    complainant: Complainant = Complainant()
    history: History = History()
    signals: tuple[str, ...] = Field(default=(), max_length=500)
    narrative: str = Field(default="", max_length=100_000)
