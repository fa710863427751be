"""The case input contract: one complaint, as a handler records it.

Every field is documented in docs/case-format.md. Unknown fields, wrong types and unknown enum
values are rejected (``extra="forbid"``); signal ids are checked against the loaded knowledge by
:func:`riskengine.language.fields.check_signals`, because the model alone cannot know them.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from riskengine.contracts.bounds import CASE_LIMITS, bounds_validators

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
Representative = Literal["self", "relative", "lawyer", "third_party_agent", "unknown", "guardian"]

FINANCIAL_INDUSTRIES = ("insurance", "banking", "securities")


class _Strict(BaseModel):
    # defer_build (here and in every model base): a model's validator is built when first used, so a
    # command's start-up pays only for the models it touches (about 40 ms off `assess`).
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    # Ceilings on every field, present and future (riskengine/bounds.py): finite numbers only, no
    # true/false as a number, bounded text, lists and dates — checked before anything costly runs.
    _within_bounds, _dates_in_range = bounds_validators(CASE_LIMITS)


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


class Events(_Strict):
    """Dates that start legal clocks or decide which law was in force (issue 14 §3, §7)."""
    contract_sold_on: dt.date | None = Field(default=None, description="contract concluded / product sold")
    loss_on: dt.date | None = Field(default=None, description="the insured event or the loss happened")
    papers_complete_on: dt.date | None = Field(default=None, description="claim request and papers complete")
    claim_decided_on: dt.date | None = Field(default=None, description="the claim decision (pay or refuse) made")
    refusal_notice_sent_on: dt.date | None = Field(default=None, description="written refusal with reasons sent")
    claim_agreed_on: dt.date | None = Field(default=None, description="the amount payable agreed")
    cancellation_received_on: dt.date | None = Field(default=None, description="the cancellation notice received")
    paid_on: dt.date | None = Field(default=None, description="the amount owed paid")


class Checks(_Strict):
    """What decides the case type (issue 14 §9); None = not yet known."""
    questionnaire_asked_condition: bool | None = Field(
        default=None, description="the health questionnaire asked about the condition relied on")
    sales_recording: bool | None = Field(default=None, description="a recording of the sale exists")
    risk_assessment_done: bool | None = Field(default=None, description="the seller assessed the customer's risk")
    freeze_legal_ground: bool | None = Field(default=None, description="a freeze rests on a stated legal ground")
    appeal_route_given: bool | None = Field(default=None, description="the customer was told how to appeal")
    documents_supplied: bool | None = Field(
        default=None, description="the customer already supplied (or we already hold) the papers asked for")
    cannot_sign: bool | None = Field(default=None, description="the customer cannot sign (incapacity, coma)")


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
    # -- issue 14: money the law owes, clocks, what decides the case (all optional, additive)
    price: float | None = Field(default=None, ge=0, description="price paid for the goods or service")
    loss_amount: float | None = Field(default=None, ge=0, description="the consumer's proven loss")
    fraud_by_seller: bool | None = Field(default=None, description="the seller deceived the buyer (CPL 55)")
    food_below_standard: bool | None = Field(
        default=None, description="food not meeting the food-safety standard (Food Safety Law 148)")
    goods_tampered: bool | None = Field(
        default=None, description="the claimant planted, swapped or faked the goods (CPL-REG 49 ¶2: no multiple)")
    regulator_major_case: bool | None = Field(default=None, description="the regulator flagged it a major case")
    events: Events = Events()
    checks: Checks = Checks()
