"""The case contract's fixed values in words (zh and en), for forms and screens: a handler never sees a
raw value such as ``third_party_agent``. A value missing here is shown as it is (and a test says which)."""
from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "industry": {"insurance": ("保险", "Insurance"), "banking": ("银行", "Banking"),
                 "securities": ("证券", "Securities"), "ecommerce": ("电商", "E-commerce"),
                 "services": ("生活服务", "Services"), "public": ("公共服务", "Public services"),
                 "other": ("其他", "Other")},
    "channel": {"hotline": ("热线电话", "Phone hotline"), "online": ("网上", "Online form"), "app": ("App", "App"),
                "email": ("电子邮件", "Email"), "letter": ("信函", "Letter"), "visit": ("现场来访", "In person"),
                "regulator_referral": ("监管转办", "Referred by the regulator"), "media": ("媒体", "Media"),
                "social_media": ("社交媒体", "Social media")},
    "category": {"claim_denial": ("理赔被拒", "Claim refused"), "surrender_refund": ("退保退款", "Surrender / refund"),
                 "misleading_sales": ("销售误导", "Misleading sale"), "service_attitude": ("服务态度", "Staff attitude"),
                 "service_process": ("服务流程", "Service process"), "product_quality": ("产品质量", "Product quality"),
                 "delivery_delay": ("配送延误", "Late delivery"), "fees_charges": ("收费", "Fees and charges"),
                 "debt_collection": ("催收", "Debt collection"), "privacy": ("个人信息", "Privacy"),
                 "other": ("其他", "Other")},
    "demand.type": {"full_refund": ("全额退款", "Full refund"), "compensation": ("赔偿", "Compensation"),
                    "apology": ("道歉", "Apology"), "explanation": ("解释说明", "Explanation"),
                    "correction": ("更正", "Correction"), "other": ("其他", "Other")},
    "jurisdiction": {"CN": ("中国内地", "China (mainland)"), "UK": ("英国", "United Kingdom"),
                     "US": ("美国", "United States")},
    "complainant.emotion": {"calm": ("平静", "Calm"), "anxious": ("焦虑", "Anxious"), "agitated": ("激动", "Agitated"),
                            "hostile": ("敌对", "Hostile")},
    "complainant.represented_by": {"self": ("本人", "Themselves"), "relative": ("亲属", "A relative"),
                                   "lawyer": ("律师", "A lawyer"), "third_party_agent": ("第三方代理", "A paid agent"),
                                   "unknown": ("不清楚", "Unknown")},
    "complainant.vulnerable": {"elderly": ("高龄", "Elderly"), "disabled": ("残障", "Disabled"),
                               "low_income": ("低收入", "Low income"), "illiterate": ("不识字", "Cannot read"),
                               "minor": ("未成年", "Minor"), "seriously_ill": ("重病", "Seriously ill"),
                               "bereaved": ("新近丧亲", "Bereaved"),
                               "non_native_speaker": ("语言不通", "Not a native speaker")},
}

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "id": ("案件编号", "Case id"), "received": ("收到日期", "Received on"), "industry": ("行业", "Industry"),
    "channel": ("投诉渠道", "Channel"), "category": ("投诉类别", "Category"), "product": ("产品", "Product"),
    "jurisdiction": ("法域", "Jurisdiction"), "amount_in_dispute": ("争议金额", "Amount in dispute"),
    "entitlement_amount": ("合同或法定应得金额", "Amount owed by contract or law"),
    "demand.type": ("诉求", "Demand"), "demand.amount": ("诉求金额", "Amount asked"),
    "complainant.age": ("年龄", "Age"), "complainant.emotion": ("情绪", "Emotion"),
    "complainant.represented_by": ("由谁投诉", "Who is complaining"),
    "complainant.vulnerable": ("特殊群体", "Vulnerable"), "group_size": ("人数", "People in the complaint"),
    "history.prior_complaints": ("此前投诉次数", "Earlier complaints"),
    "history.contacts_last_7_days": ("近7天联系次数", "Contacts in the last 7 days"),
    "history.days_open": ("已处理天数", "Days open"), "history.offers_rejected": ("已拒绝方案次数", "Offers rejected"),
    "history.complaints_against_seller_30d": ("30天内对同一商家投诉数", "Complaints against this seller in 30 days"),
    "arbitration_agreement": ("有仲裁协议", "Arbitration agreement"), "signals": ("信号", "Signals"),
    "narrative": ("投诉叙述", "What the complainant said"),
}


def word(field: str, value, lang: str) -> str:
    pair = WORDS.get(field, {}).get(str(value))
    return pair[0 if lang == "zh" else 1] if pair else str(value)


def label(field: str, lang: str) -> str:
    pair = FIELD_LABELS.get(field)
    return pair[0 if lang == "zh" else 1] if pair else field
