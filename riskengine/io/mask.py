"""Mask personal data before a decision record is written.

Covered, in Chinese and English text: mainland ID card numbers, bank card numbers, mobile and
landline phone numbers, e-mail addresses, names introduced by a label or an honorific (姓名：张三,
张先生, 王女士, Mr. Smith, "my name is John Smith"), and street addresses (…省…市…路…号, "123 Main
Street"). Masking keeps the shape (``张**``, ``138****5678``) so a record stays readable.
"""
from __future__ import annotations

import re
from typing import Any

def _rule(pattern: str, flags: int = 0):
    """Attach the pattern whose matches ``fn`` masks (MASKS below lists them in the order they run)."""
    def attach(fn):
        fn.pattern = re.compile(pattern, flags)
        return fn
    return attach


@_rule(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
def _id_card(m: re.Match) -> str:
    s = m.group(0)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


@_rule(r"(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?:[ -]?\d{1,3})?(?!\d)")
def _bank_card(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return digits[:4] + " **** **** " + digits[-4:]


@_rule(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
def _cn_mobile(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))[-11:]
    return digits[:3] + "****" + digits[-4:]


@_rule(r"(?<!\d)(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?!\d)|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
def _phone(m: re.Match) -> str:
    s = m.group(0)
    return re.sub(r"\d", "*", s[:-4]) + s[-4:]


@_rule(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
def _email(m: re.Match) -> str:
    user, _, domain = m.group(0).partition("@")
    return user[:1] + "***@" + domain


# Chinese addresses: province/city/district then a road or community and a number.
@_rule(r"[\u4e00-\u9fa5]{2,8}(?:省|市|自治区)[\u4e00-\u9fa5]{0,12}(?:市|区|县|镇)?[\u4e00-\u9fa5\d]{0,20}"
       r"(?:路|街|道|巷|村|小区|大厦|花园)[\u4e00-\u9fa5\d\-]{0,12}(?:号|栋|室|楼|单元)?")
def _cn_address(m: re.Match) -> str:
    s = m.group(0)
    return s[:2] + "*" * min(len(s) - 2, 8)


@_rule(r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way)\b\.?")
def _en_address(m: re.Match) -> str:
    return "[address]"


@_rule(r"(?:姓名|客户|投诉人|联系人|户名|被保险人|投保人)[:：是为]\s*([\u4e00-\u9fa5]{2,4})")
def _cn_labelled_name(m: re.Match) -> str:
    name = m.group(1)
    return m.group(0)[: m.start(1) - m.start(0)] + name[0] + "*" * (len(name) - 1)


# The most common Chinese surnames: "王女士", "张先生", "李阿姨" name a person; "各位女士" does not.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")


@_rule(f"([{SURNAMES}])([\u4e00-\u9fa5]?)(先生|女士|小姐|阿姨|大爷|大妈|老师|经理)")
def _cn_honorific(m: re.Match) -> str:
    return "*" * (1 + len(m.group(2))) + m.group(3)


@_rule(r"\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+([A-Z][a-z]+)(\s+[A-Z][a-z]+)?")
def _en_honorific(m: re.Match) -> str:
    return f"{m.group(1)}. {m.group(2)[0]}."


@_rule(r"\b([Mm]y name is|[Nn]ame:)\s+([A-Z][a-z]+)(\s+[A-Z][a-z]+)?")
def _en_name(m: re.Match) -> str:
    return f"{m.group(1)} {m.group(2)[0]}."


# In this order: card and ID numbers before phone numbers, labelled names before honorifics.
MASKS: tuple[tuple[re.Pattern, Any], ...] = tuple((fn.pattern, fn) for fn in (
    _id_card, _bank_card, _cn_mobile, _phone, _email, _cn_address, _en_address, _cn_labelled_name, _cn_honorific,
    _en_honorific, _en_name))


def mask_text(text: str) -> str:
    for pattern, fn in MASKS:
        text = pattern.sub(fn, text)
    return text


def mask(value: Any) -> Any:
    """Mask every string inside a JSON-like value."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask(v) for v in value]
    if isinstance(value, dict):
        return {k: mask(v) for k, v in value.items()}
    return value
