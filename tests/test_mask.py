"""Personal data is masked in decision records: realistic Chinese and English text."""
from __future__ import annotations

from riskengine.io.mask import mask, mask_text


def test_chinese_personal_data():
    text = ("投诉人：张伟，身份证号110105198203154512，手机13812345678，银行卡6222 0212 3456 7890 123，"
            "住址北京市朝阳区建国路88号，客服对王女士态度恶劣，座机010-87654321")
    out = mask_text(text)
    for secret in ("张伟", "110105198203154512", "13812345678", "6222 0212 3456 7890 123", "建国路88号",
                   "王女士", "87654321"):
        assert secret not in out, secret
    assert "张*" in out and "138****5678" in out and "6222 **** **** 0123" in out and "110" in out


def test_english_personal_data():
    text = ("My name is John Smith, I live at 1234 Oak Street, call me at (202) 555-0143 or "
            "john.smith@example.com. Mrs. Johnson at the branch refused. Card 4111111111111111.")
    out = mask_text(text)
    for secret in ("John Smith", "1234 Oak Street", "555-0143", "john.smith@example.com", "Johnson",
                   "4111111111111111"):
        assert secret not in out, secret
    assert "[address]" in out and "j***@example.com" in out and "0143" in out


def test_non_personal_text_is_kept():
    text = "客户于2025-03-02投诉，保单号码ABC-123，要求退还保费86000元，案件C-2025-0001"
    assert mask_text(text) == text


def test_mask_walks_nested_records():
    record = {"input": {"narrative": "联系电话13900001111"}, "list": ["邮箱a.b@c.cn"], "n": 3}
    assert mask(record) == {"input": {"narrative": "联系电话139****1111"}, "list": ["邮箱a***@c.cn"], "n": 3}
