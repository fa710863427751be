"""JSON Schema (draft-07) for every file compliance staff write, generated from the pydantic models.

The models (case.py, knowledge.py, rule.py, assessment.py) are the contract; this module turns them into
what an editor's YAML language server reads, and adds what the models cannot know: the ids of the loaded
ruleset as enums (signals, findings, strategies, channels, taboos, legal bases, profile entries, phrases,
rule ids, case field paths), so the editor completes them and flags a misspelt one, and zh/en descriptions.

The condition tree is written by hand from the rule language's own tables (:mod:`riskengine.language`):
its YAML form (``{field: x, eq: y}``) is not the shape of the parsed models.

``schema_files(ruleset)`` gives every schema by its path under ``schemas/``; ``riskengine schema`` prints or
writes them; ``modeline(...)`` is the first line that points a YAML file at its schema.
"""
from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from riskengine.language.fields import FIELD_TYPES, allowed_values
from riskengine.contracts.knowledge import KINDS, Scoring
from riskengine.language.tree import LIST_OPS, NUMERIC_OPS, OPERATORS
from riskengine.contracts.ruleset import Ruleset

DRAFT = "http://json-schema.org/draft-07/schema#"
MODELINE_PREFIX = "# yaml-language-server: $schema="
KNOWLEDGE_KINDS: tuple[str, ...] = (*KINDS, "scoring")
TOP_KINDS = ("case", "ruletest", "assessment", "rules", "knowledge")

# zh descriptions by property name (the en text is the model's own description, else the title).
ZH: dict[str, str] = {
    "id": "编号：字母开头，可含字母、数字、_ 和 -，全库唯一",
    "name": "名称（中英文）", "zh": "中文（主要语言）", "en": "英文",
    "description": "说明（中英文）", "salience": "优先级：同一轮中数值大的规则先触发（-1000 到 1000）",
    "when": "触发条件（规则语言：all / any / not / field / signal / signals / finding）",
    "then": "触发后的效果：只增加分数、结论和建议，从不撤销",
    "points": "五维风险分：time 时间、space 空间、emotion 情绪、interest 利益、communication 沟通",
    "agent_points": "疑似代理投诉的加分（0–100）", "findings": "本规则得出的结论（供其他规则用 finding 引用）",
    "strategy": "推荐的处置策略（knowledge/strategies.yaml 的编号）", "also_strategies": "同时列出的辅助策略",
    "escalation": "升级级别 1–4", "min_level": "风险等级下限", "channels": "推荐的纠纷解决渠道",
    "taboos": "本案禁忌（knowledge/taboos.yaml 的编号）", "legal_bases": "法律依据（knowledge/legal_bases.yaml 的编号）",
    "legal_basis": "法律依据编号", "profile": "客户画像条目编号", "phrases": "话术编号（knowledge/phrases.yaml）",
    "reason": "理由（中英文）", "rank": "排序：数值小的在前",
    "why": "为什么不能说（中英文）", "severity": "严重程度", "say_instead": "应当怎么说", "never_say": "违禁说法示例",
    "relevant_when": "何时相关（文字说明）", "dimension": "所属维度", "question": "如何向客户提问核实",
    "patterns": "叙述中的关键词或安全正则（按语言）", "group": "代理特征分组", "weight": "权重（0–100）",
    "law": "法律法规名称", "article": "条款", "summary": "要点（用自己的话）", "jurisdiction": "法域：CN / UK / US",
    "effective": "生效日期", "ends": "失效日期（最后一天）", "industries": "适用行业（空：全部）",
    "replaced_by": "被哪一版本取代（编号）", "verified": "是否已与官方文本核对",
    "kind": "类别", "order": "默认排序（小的在前）", "eligible_when": "渠道可用的条件（省略：总是可用）",
    "ineligible_reason": "不可用时告诉经办人的原因", "clock": "时限说明",
    "precedence": "优先级：多个策略被推荐时取最高者", "steps": "处置步骤",
    "level": "级别", "owner": "负责人", "within_hours": "多少小时内接手",
    "applies_when": "时限适用的条件", "days": "天数", "day_type": "自然日 calendar / 工作日 working",
    "level_thresholds": "各风险等级的起始分数", "agent_suspected_at": "疑似代理的分数线",
    "level_escalation": "各风险等级至少需要的升级级别", "guidance": "沟通或处置要点", "situation": "话术场景",
    "text": "话术（可含 {占位符}）",
    # cases
    "received": "受理日期 YYYY-MM-DD", "industry": "行业", "channel": "投诉渠道", "category": "投诉类别",
    "product": "产品", "amount_in_dispute": "争议金额", "entitlement_amount": "合同或法律应得金额（和解上限）",
    "demand": "客户诉求", "type": "诉求类型", "amount": "诉求金额", "arbitration_agreement": "是否有仲裁协议",
    "group_size": "共同投诉人数", "complainant": "投诉人", "age": "年龄", "vulnerable": "弱势情形",
    "emotion": "情绪", "represented_by": "由谁代表投诉", "occupation": "职业", "history": "投诉历史",
    "prior_complaints": "此前就同一事项投诉次数", "contacts_last_7_days": "近 7 日联系次数",
    "days_open": "已处理天数", "offers_rejected": "拒绝方案次数",
    "complaints_against_seller_30d": "电商：30 日内对同一商家的投诉次数",
    "signals": "观察到的信号（knowledge/indicators.yaml 与 agent_signs.yaml 的编号）",
    "narrative": "投诉叙述（原文）",
    # rule tests
    "source": "事实出处", "note": "备注", "case": "案件", "expect": "预期结果（只检查列出的项）",
}


def _text(zh: str, en: str) -> str:
    return f"{zh} / {en}" if en else zh


# ------------------------------------------------------------------------------------------- ids
def ruleset_ids(rs: Ruleset) -> dict[str, dict[str, str]]:
    """Each id kind -> {id: "中文名 / English name"} from a loaded ruleset, sorted by id."""
    k = rs.knowledge

    def named(entries: dict) -> dict[str, str]:
        out = {}
        for key, e in sorted(entries.items(), key=lambda kv: str(kv[0])):
            label = getattr(e, "name", None) or getattr(e, "law", None) or getattr(e, "text", None)
            extra = f" {e.article}" if hasattr(e, "article") else ""
            out[str(key)] = _text(label.zh + extra, label.en + extra) if label is not None else ""
        return out

    findings: dict[str, str] = {}
    for rule in rs.rules:
        for f in rule.then.findings:
            findings.setdefault(f, f"asserted by {rule.id}")
    return {
        "signal": named(k.signals), "strategy": named(k.strategies), "channel": named(k.channels),
        "taboo": named(k.taboos), "legal_basis": named(k.legal_bases), "profile": named(k.profiles),
        "phrase": named(k.phrases), "finding": dict(sorted(findings.items())),
        "rule": {r.id: _text(r.description.zh, r.description.en) for r in sorted(rs.rules, key=lambda r: r.id)},
        "field": {path: "" for path in sorted(FIELD_TYPES)},
    }


def _id_def(kind: str, ids: dict[str, str], what: str) -> dict:
    if not ids:   # an empty enum is no schema at all: fall back to the id pattern
        return {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_\-]*$", "description": what}
    out: dict[str, Any] = {"type": "string", "description": what, "enum": list(ids)}
    if any(ids.values()):
        out["enumDescriptions"] = list(ids.values())     # shown beside each completion (VS Code)
    return out


ID_WHAT = {
    "signal": _text("信号编号（knowledge/indicators.yaml 或 agent_signs.yaml）", "a signal id (indicators or agent signs)"),
    "strategy": _text("策略编号（knowledge/strategies.yaml）", "a strategy id"),
    "channel": _text("渠道编号（knowledge/channels.yaml）", "a channel id"),
    "taboo": _text("禁忌编号（knowledge/taboos.yaml）", "a taboo id"),
    "legal_basis": _text("法律依据编号（knowledge/legal_bases.yaml）", "a legal basis id"),
    "profile": _text("画像条目编号（knowledge/profiles.yaml）", "a profile entry id"),
    "phrase": _text("话术编号（knowledge/phrases.yaml）", "a phrase id"),
    "finding": _text("某条规则 then.findings 中得出的结论", "a finding some rule asserts in then.findings"),
    "rule": _text("规则编号", "a rule id"),
    "field": _text("案件字段路径（见 docs/case-format.md）", "a case field path (docs/case-format.md)"),
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/definitions/{name}"}


def _id_defs(ids: dict[str, dict[str, str]], kinds) -> dict:
    return {f"{kind}_id": _id_def(kind, ids[kind], ID_WHAT[kind]) for kind in kinds}


# ------------------------------------------------------------------------------------- conditions
def condition_defs(ids: dict[str, dict[str, str]]) -> dict:
    """The rule language as JSON Schema: one definition per kind of node, ``condition`` for any of them."""
    scalar = {"type": ["string", "number", "boolean"]}
    op_schema: dict[str, dict] = {}
    for op in sorted(OPERATORS):
        if op in NUMERIC_OPS:
            op_schema[op] = {"type": "number"}
        elif op in LIST_OPS:
            op_schema[op] = {"type": "array", "minItems": 1, "items": scalar}
        elif op == "matches":
            op_schema[op] = {"type": "string", "minLength": 1,
                             "description": _text("安全正则", "a safe regular expression")}
        else:
            op_schema[op] = scalar
        op_schema[op].setdefault("description", _text(f"运算符 {op}", f"operator {op}: {OPERATORS[op][1]}"))
    op_schema["exists"] = {"type": "boolean", "description": _text("字段是否已知", "whether the field is known")}
    field_ids = {p: _field_label(p) for p in ids["field"]}
    defs = {
        "field_path": _id_def("field", field_ids, ID_WHAT["field"]),
        "condition": {"description": _text("条件", "a condition"), "anyOf": [
            _ref("all_condition"), _ref("any_condition"), _ref("not_condition"), _ref("field_condition"),
            _ref("signal_condition"), _ref("signals_condition"), _ref("finding_condition")]},
        "all_condition": {"type": "object", "required": ["all"], "additionalProperties": False, "properties": {
            "all": {"type": "array", "minItems": 1, "items": _ref("condition"),
                    "description": _text("全部成立", "every child holds")}}},
        "any_condition": {"type": "object", "required": ["any"], "additionalProperties": False, "properties": {
            "any": {"type": "array", "minItems": 1, "items": _ref("condition"),
                    "description": _text("至少一项成立", "at least one child holds")}}},
        "not_condition": {"type": "object", "required": ["not"], "additionalProperties": False, "properties": {
            "not": {**_ref("condition"), "description": _text("不成立", "the child does not hold")}}},
        "field_condition": {
            "type": "object", "required": ["field"], "additionalProperties": False,
            "minProperties": 2, "maxProperties": 2,
            "description": _text("字段比较：field 加一个运算符", "a case field compared with exactly one operator"),
            "properties": {"field": _ref("field_path"), **op_schema}},
        "signal_condition": {"type": "object", "required": ["signal"], "additionalProperties": False,
                             "properties": {"signal": _ref("signal_id")}},
        "signals_condition": {"type": "object", "required": ["signals"], "additionalProperties": False,
                              "properties": {"signals": {"type": "array", "minItems": 1, "items": _ref("signal_id")},
                                             "min": {"type": "integer", "minimum": 1,
                                                     "description": _text("至少几个", "at least this many")}}},
        "finding_condition": {"type": "object", "required": ["finding"], "additionalProperties": False,
                              "properties": {"finding": _ref("finding_id")}},
    }
    return defs


def _field_label(path: str) -> str:
    values = allowed_values(path)
    return f"{path}: {' | '.join(map(str, values))}" if values else ""


# ----------------------------------------------------------------------------------- from models
def _model(model: type[BaseModel], mode: str = "validation") -> tuple[dict, dict]:
    s = model.model_json_schema(ref_template="#/definitions/{model}", mode=mode)
    return s, s.pop("$defs", {})


def _describe(defs: dict) -> None:
    """Add the zh description to every property that has one (``中文 / English``)."""
    for d in defs.values():
        for name, prop in (d.get("properties") or {}).items():
            zh = ZH.get(name)
            if zh and "/ " not in prop.get("description", ""):
                prop["description"] = _text(zh, prop.get("description") or prop.get("title", ""))
            prop.pop("title", None)


def _set_items(prop: dict, ref: dict) -> None:
    """Point an id property (a string, a list of strings, or either or null) at an id definition."""
    if prop.get("type") == "array":
        prop["items"] = ref
    elif "anyOf" in prop:
        prop["anyOf"] = [ref if b.get("type") == "string" else b for b in prop["anyOf"]]
    else:
        desc = prop.get("description")
        prop.clear()
        prop.update(ref)
        if desc:
            prop["description"] = desc


def _condition_prop(prop: dict) -> None:
    nullable = "anyOf" in prop and any(b.get("type") == "null" for b in prop["anyOf"])
    desc = prop.get("description")
    prop.clear()
    prop.update({"anyOf": [_ref("condition"), {"type": "null"}]} if nullable else _ref("condition"))
    if desc:
        prop["description"] = desc


ID_PROPS = {   # (definition, property) -> id kind
    ("Effects", "strategy"): "strategy", ("Effects", "also_strategies"): "strategy",
    ("Effects", "taboos"): "taboo", ("Effects", "legal_bases"): "legal_basis", ("Effects", "profile"): "profile",
    ("Effects", "phrases"): "phrase", ("ChannelPick", "id"): "channel",
    ("Taboo", "legal_bases"): "legal_basis", ("Channel", "legal_bases"): "legal_basis",
    ("Strategy", "legal_bases"): "legal_basis", ("Deadline", "legal_basis"): "legal_basis",
    ("LegalBasis", "replaced_by"): "legal_basis", ("Case", "signals"): "signal",
}
CONDITION_PROPS = {("Rule", "when"), ("Channel", "eligible_when"), ("Deadline", "applies_when"), ("Deadline", "done_when"),
                   ("Phrase", "when"), ("Question", "applies_when"), ("EscalationLevel", "immediate_when")}


def _prune(defs: dict, roots: list) -> dict:
    """Only the definitions reachable from ``roots`` (drops the parsed condition models)."""
    keep: set[str] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/definitions/"):
                name = ref.rsplit("/", 1)[1]
                if name not in keep and name in defs:
                    keep.add(name)
                    todo.append(defs[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return {name: defs[name] for name in sorted(keep)}


def _document(title: str, root: dict, defs: dict, description: str = "") -> dict:
    _describe(defs)
    for (d, p) in CONDITION_PROPS:
        if d in defs and p in defs[d].get("properties", {}):
            _condition_prop(defs[d]["properties"][p])
    doc = {"$schema": DRAFT, "title": title}
    if description:
        doc["description"] = description
    doc.update(root)
    doc["definitions"] = _prune(defs, [root])
    return doc


def _enrich(defs: dict, ids: dict[str, dict[str, str]]) -> None:
    for (d, p), kind in ID_PROPS.items():
        if d in defs and p in defs[d].get("properties", {}):
            _set_items(defs[d]["properties"][p], _ref(f"{kind}_id"))


def _with_ids(defs: dict, ids: dict) -> dict:
    out = dict(defs)
    out.update(_id_defs(ids, ID_WHAT))
    out.update(condition_defs(ids))
    _enrich(out, ids)
    return out


def rules_schema(ids: dict[str, dict[str, str]]) -> dict:
    from riskengine.contracts.rule import Rule
    s, defs = _model(Rule)
    defs["Rule"] = s
    return _document(
        _text("规则文件 rules/*.yaml", "riskengine rule file"),
        {"type": "object", "required": ["rules"], "additionalProperties": False,
         "properties": {"rules": {"type": "array", "items": _ref("Rule"),
                                  "description": _text("规则列表", "the rules of this file")}}},
        _with_ids(defs, ids), _text("见 docs/rule-language.md", "see docs/rule-language.md"))


def knowledge_schema(kind: str, ids: dict[str, dict[str, str]]) -> dict:
    model = Scoring if kind == "scoring" else KINDS[kind]
    s, defs = _model(model)
    defs[model.__name__] = s
    item = _ref(model.__name__)
    body = item if kind == "scoring" else {"type": "array", "items": item}
    return _document(
        _text(f"知识文件 knowledge/{kind}.yaml", f"riskengine knowledge file: {kind}"),
        {"type": "object", "required": [kind], "additionalProperties": False, "properties": {kind: body}},
        _with_ids(defs, ids), _text("见 docs/knowledge.md", "see docs/knowledge.md"))


def case_schema(ids: dict[str, dict[str, str]]) -> dict:
    from riskengine.contracts.case import Case
    s, defs = _model(Case)
    defs["Case"] = s
    return _document(_text("案件文件", "riskengine case file"), _ref("Case"), _with_ids(defs, ids),
                     _text("见 docs/case-format.md", "see docs/case-format.md"))


def ruletest_schema(ids: dict[str, dict[str, str]]) -> dict:
    from riskengine.contracts.case import Case
    from riskengine.testing.ruletest import LIST_CHECKS, LIST_PATHS
    s, defs = _model(Case)
    defs["Case"] = s
    list_check = {"type": "object", "additionalProperties": False, "minProperties": 1,
                  "properties": {c: {"type": "array"} for c in sorted(LIST_CHECKS)}}
    fired_ids = {"type": "array", "items": _ref("rule_id")}
    expect_props: dict[str, Any] = {p: {"anyOf": [list_check, {"type": "array"}]} for p in sorted(LIST_PATHS)}
    expect_props["fired"] = {"anyOf": [{"type": "object", "additionalProperties": False, "minProperties": 1,
                                        "properties": {c: fired_ids for c in sorted(LIST_CHECKS)}}, fired_ids]}
    defs["Expect"] = {
        "type": "object", "additionalProperties": True,
        "description": _text("预期：评估结果中的点分路径 → 值（或 in/ge/gt/le/lt/eq，列表用 contains/excludes/exactly）",
                             "expected outcome: dotted assessment path -> value, a bound, or a list check"),
        "propertyNames": {"pattern": r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"},
        "properties": expect_props}
    root = {"type": "object", "required": ["case", "expect"], "additionalProperties": False, "properties": {
        "name": {"type": "string"}, "source": {"type": "string"}, "note": {"type": "string"},
        "as_of": {"type": "string", "format": "date",
                  "description": _text("判断时限与逾期的日期（可选）", "the date clocks and overdue are judged on (optional)")},
        "case": _ref("Case"), "expect": _ref("Expect")}}
    defs["_root"] = root    # so the zh descriptions reach the top-level keys too
    doc = _document(_text("规则测试文件 tests/cases/*.yaml", "riskengine rule test"), root, _with_ids(defs, ids),
                    _text("见 riskengine/ruletest.py", "see riskengine/ruletest.py"))
    doc["definitions"].pop("_root", None)
    return doc


def assessment_schema() -> dict:
    from riskengine.contracts.assessment import Assessment
    s, defs = _model(Assessment, mode="serialization")
    defs["Assessment"] = s
    return _document(_text("评估结果（输出）", "riskengine assessment (output)"), _ref("Assessment"), defs)


def schema_files(rs: Ruleset) -> dict[str, dict]:
    """Every schema by its path under ``schemas/``."""
    ids = ruleset_ids(rs)
    out = {"case.schema.json": case_schema(ids), "ruletest.schema.json": ruletest_schema(ids),
           "assessment.schema.json": assessment_schema(), "rules.schema.json": rules_schema(ids)}
    for kind in KNOWLEDGE_KINDS:
        out[f"knowledge/{kind}.schema.json"] = knowledge_schema(kind, ids)
    return out


def dumps(doc: dict) -> str:
    """The bytes written to disk: stable, readable, Chinese as is."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def select(rs: Ruleset, what: str, kind: str | None = None) -> dict[str, dict]:
    """The schema files ``riskengine schema WHAT [KIND]`` stands for."""
    files = schema_files(rs)
    if what == "all":
        return files
    if what == "knowledge":
        if kind:
            return {f"knowledge/{kind}.schema.json": files[f"knowledge/{kind}.schema.json"]}
        return {p: d for p, d in files.items() if p.startswith("knowledge/")}
    return {f"{what}.schema.json": files[f"{what}.schema.json"]}


# ------------------------------------------------------------------------------------- modelines
def schema_for(rel: str) -> str | None:
    """Which schema (path under schemas/) a file of a ruleset folder follows, from its place and top key."""
    parts = rel.replace("\\", "/").split("/")
    if parts[0] == "rules":
        return "rules.schema.json"
    if parts[0] == "knowledge":
        return None   # decided by its top-level key: see knowledge_schema_for
    if parts[0] == "examples":
        return "case.schema.json"
    if parts[:2] == ["tests", "cases"]:
        return "ruletest.schema.json"
    return None


def knowledge_schema_for(data: Any, stem: str) -> str | None:
    kind = next(iter(data)) if isinstance(data, dict) and len(data) == 1 else stem
    return f"knowledge/{kind}.schema.json" if kind in KNOWLEDGE_KINDS else None


def modeline(file_rel: str, schema_rel: str) -> str:
    """``# yaml-language-server: $schema=<relative path from the file to schemas/<schema_rel>>``."""
    depth = file_rel.replace("\\", "/").count("/")
    return f"{MODELINE_PREFIX}{'../' * depth}schemas/{schema_rel}"


def with_modeline(text: str, line: str) -> str:
    """The file's text with ``line`` first: an existing modeline is replaced, else the line is inserted."""
    if text.startswith(MODELINE_PREFIX):
        first, nl, rest = text.partition("\n")
        return line + nl + rest if first != line else text
    return line + "\n" + text


