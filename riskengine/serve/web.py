"""The handler's web page at ``/``: a case form (choices from the loaded knowledge) and the first screen as a
page, server-rendered with Jinja2; it works without JavaScript (the little vendored script only adds copy
buttons and the signal search). Every value from the case is escaped by the templates' autoescape.

The case travels between pages as JSON in a hidden field, so answering a missing fact, switching language,
the print view and the JSON link re-post the same case: the service keeps no session state.
"""
from __future__ import annotations

import datetime as dt
import json
import typing
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.staticfiles import StaticFiles

from riskengine.contracts import case as case_model
from riskengine.render.case_words import FIELD_LABELS, WORDS, label, word
from ..errors import CaseError
from riskengine.render.screen_model import DIMENSION_WORDS, DIMS, LEVEL_WORDS, SEVERITY_WORDS, _t, countdown, first_screen, ranked_taboos
from .deps import scope, service

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False, dependencies=[scope("assess")])
static = StaticFiles(directory=HERE / "static")
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
MAX_FORM = 1_000_000

ENUMS = {"industry": case_model.Industry, "channel": case_model.ChannelIn, "category": case_model.Category,
         "demand.type": case_model.DemandType, "jurisdiction": case_model.Jurisdiction,
         "complainant.emotion": case_model.Emotion, "complainant.represented_by": case_model.Representative}
INTS = ("group_size", "complainant.age", "history.prior_complaints", "history.contacts_last_7_days",
        "history.days_open", "history.offers_rejected", "history.complaints_against_seller_30d")
FLOATS = ("amount_in_dispute", "entitlement_amount", "demand.amount")
TEXTS = ("id", "received", "product")

UI = {
    "zh": {"title": "投诉风险评估", "form": "录入案件", "submit": "评估", "narrative_hint": "照原话记录客户说了什么",
           "file": "或上传案件文件（YAML/JSON）", "paste": "或粘贴案件文件内容", "search": "搜索信号",
           "optional": "可选", "yes": "是", "no": "否", "unknown": "不清楚", "errors": "案件有问题，请按提示修改",
           "why": "为什么", "why_not": "为什么不用", "rules": "依据规则", "facts": "命中事实", "spans": "叙述原文",
           "plan": "处置计划", "script": "话术", "copy": "复制", "never": "切勿说", "channels": "渠道",
           "excluded": "不适用的渠道", "missing": "补充事实，重新评估", "answer": "回答并重新评估",
           "copy_btn": "复制", "print": "打印视图", "json": "JSON", "new": "新案件", "dims": "五维度", "respond_by": "答复期限",
           "owner": "负责人", "within": "小时内介入", "outranked": "其他可选策略", "narrative": "投诉叙述",
           "lang": "English", "more": "更多字段", "also": "同时适用", "strategy": "处置策略",
           "lower": "优先级低于", "instead": "应当", "taboos_all": "全部禁忌", "legal": "法律依据",
           "unverified": "待核实"},
    "en": {"title": "Complaint risk assessment", "form": "Enter a case", "submit": "Assess",
           "narrative_hint": "What the complainant said, in their words", "file": "or upload a case file (YAML/JSON)",
           "paste": "or paste a case file", "search": "Search signals", "optional": "optional", "yes": "yes",
           "no": "no", "unknown": "unknown", "errors": "The case has problems; fix the fields marked below",
           "why": "Why", "why_not": "Why not", "rules": "rules", "facts": "facts matched",
           "spans": "in the narrative", "plan": "Plan", "script": "What to say", "copy": "Copy",
           "never": "Never say", "channels": "Channels", "excluded": "Ruled out", "missing": "Answer to re-assess",
           "answer": "Answer and re-assess", "copy_btn": "Copy", "print": "Print view", "json": "JSON", "new": "New case",
           "dims": "Dimensions", "respond_by": "Respond by", "owner": "Owner", "within": "h to take over",
           "outranked": "Other strategies", "narrative": "Narrative", "lang": "中文", "more": "More fields",
           "also": "Also apply", "strategy": "Strategy", "lower": "lower precedence than",
           "instead": "instead", "taboos_all": "All taboos", "legal": "Legal bases", "unverified": "unverified"},
}


def _lang(value: Any) -> str:
    return value if value in ("zh", "en") else "zh"


def _choices(lang: str) -> dict[str, list[tuple[str, str]]]:
    out = {f: [(v, word(f, v, lang)) for v in typing.get_args(t)] for f, t in ENUMS.items()}
    out["complainant.vulnerable"] = [(v, word("complainant.vulnerable", v, lang))
                                     for v in typing.get_args(case_model.Vulnerability)]
    return out


def _signals(loaded, lang: str) -> list[dict]:
    signals = loaded.engine.ruleset.knowledge.signals
    signals = signals() if callable(signals) else signals
    return sorted(({"id": k, "name": v.name.get(lang), "other": v.name.get("en" if lang == "zh" else "zh")}
                   for k, v in signals.items()), key=lambda s: s["id"])


def _set(raw: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for p in parts[:-1]:
        raw = raw.setdefault(p, {})
    raw[parts[-1]] = value


def _number(text: str, kind) -> Any:
    try:
        return kind(text)
    except ValueError:
        return text            # the case contract reports it, at its field, with the CLI's words


def case_from_form(form) -> dict:
    """The case a form describes: a pasted or uploaded case file wins; otherwise the structured fields."""
    pasted = (form.get("case_text") or "").strip()
    if pasted:
        return _case_text(pasted)
    raw: dict = {}
    for f in TEXTS:
        v = (form.get(f) or "").strip()
        if v:
            raw[f] = v
    for f in ENUMS:
        v = (form.get(f) or "").strip()
        if v:
            _set(raw, f, v)
    for f in INTS:
        v = (form.get(f) or "").strip()
        if v:
            _set(raw, f, _number(v, int))
    for f in FLOATS:
        v = (form.get(f) or "").strip()
        if v:
            _set(raw, f, _number(v, float))
    arb = form.get("arbitration_agreement") or ""
    if arb in ("true", "false"):
        raw["arbitration_agreement"] = arb == "true"
    vulnerable = [v for v in form.getlist("complainant.vulnerable") if v]
    if vulnerable:
        _set(raw, "complainant.vulnerable", vulnerable)
    signals = [s for s in form.getlist("signals") if s]
    if signals:
        raw["signals"] = signals
    narrative = form.get("narrative") or ""
    if narrative.strip():
        raw["narrative"] = narrative
    raw.setdefault("id", "WEB-1")
    raw.setdefault("received", dt.date.today().isoformat())
    return raw


def _case_text(text: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CaseError(f"{where}not valid YAML or JSON ({getattr(exc, 'problem', None) or exc})",
                        code="RE101") from None
    if isinstance(data, dict) and "case" in data and "expect" in data:
        data = data["case"]
    if not isinstance(data, dict):
        raise CaseError("a case file holds one mapping of fields", code="RE101")
    return data


def _errors(exc: CaseError) -> dict[str, list[str]]:
    """Field path → messages (with the did-you-mean hint), the CLI's words; '' for the case as a whole."""
    out: dict[str, list[str]] = {}
    for p in exc.details or []:
        loc = [str(x) for x in p.loc if not isinstance(x, int)]
        key = ".".join(loc)
        if key not in FIELD_LABELS and key.split(".")[0] in FIELD_LABELS:
            key = key.split(".")[0]
        text = f"{p.code} {p.message}" + (f" ({p.hint})" if p.hint else "")
        if key not in FIELD_LABELS or (p.where and p.where != key):
            text = f"{p.field}: {text}"
        out.setdefault(key if key in FIELD_LABELS else "", []).append(text)
    if not out:
        out[""] = [f"{exc.code} {exc.message}"]
    return out


def _json_default(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v)


def _page(name: str, status: int = 200, **ctx) -> HTMLResponse:
    lang = ctx.get("lang", "zh")
    html = _env.get_template(name).render(T=UI[lang], label=lambda f: label(f, lang), **ctx)
    return HTMLResponse(html, status_code=status, headers={"Content-Language": lang})


def _form_page(request: Request, lang: str, values: dict | None = None, errors: dict | None = None,
               status: int = 200) -> HTMLResponse:
    loaded = service(request).loaded()
    values = values or {}
    flat: dict[str, Any] = {}

    def walk(prefix, d):
        for k, v in d.items():
            key = f"{prefix}{k}"
            if isinstance(v, dict):
                walk(key + ".", v)
            else:
                flat[key] = v
    walk("", values)
    return _page("form.html", status, lang=lang, choices=_choices(lang), signals=_signals(loaded, lang),
                 v=flat, errors=errors or {}, today=dt.date.today().isoformat(), version=loaded.version)


@router.get("/", response_class=HTMLResponse)
async def form(request: Request, lang: str = "zh") -> HTMLResponse:
    return _form_page(request, _lang(lang))


async def _read_form(request: Request):
    return await request.form(max_part_size=MAX_FORM)


async def _case_of(request: Request) -> tuple[Any, dict | None, dict | None]:
    """(form, raw case, errors) from a posted form: the hidden case of a result page, or the form fields."""
    form = await _read_form(request)
    try:
        if form.get("case_json"):
            raw = json.loads(form["case_json"])
        else:
            upload = form.get("case_file")
            if upload is not None and getattr(upload, "filename", "") and not (form.get("case_text") or "").strip():
                data = (await upload.read(MAX_FORM + 1))[:MAX_FORM].decode("utf-8", "replace")
                raw = _case_text(data)
            else:
                raw = case_from_form(form)
        return form, raw, None
    except CaseError as exc:
        return form, None, _errors(exc)
    except ValueError as exc:
        return form, None, {"": [f"RE101 {exc}"]}


def _answer(raw: dict, fact: str, value: str) -> dict:
    raw = json.loads(json.dumps(raw, default=_json_default))
    if fact.startswith("signal:"):
        sid = fact.split(":", 1)[1]
        signals = [s for s in raw.get("signals", []) if s != sid]
        if value == "true":
            signals.append(sid)
        raw["signals"] = signals
        return raw
    if value == "":
        return raw
    if fact in INTS:
        parsed: Any = _number(value, int)
    elif fact in FLOATS:
        parsed = _number(value, float)
    elif value in ("true", "false"):
        parsed = value == "true"
    else:
        parsed = value
    if fact == "complainant.vulnerable":
        parsed = [value]
    _set(raw, fact, parsed)
    return raw


@router.post("/assess", response_class=HTMLResponse)
async def assess_page(request: Request) -> Response:
    form, raw, errors = await _case_of(request)
    lang = _lang(form.get("lang"))
    if raw is not None and form.get("answer_fact"):
        raw = _answer(raw, form["answer_fact"], form.get("answer_value", ""))
    loaded = service(request).loaded()
    if errors is None:
        try:
            case = loaded.engine.parse_case(raw)
        except CaseError as exc:
            errors = _errors(exc)
    if errors is not None:
        return _form_page(request, lang, raw if isinstance(raw, dict) else None, errors, status=422)
    view = form.get("view", "page")
    a = loaded.engine.assess(case, engine="compiled", missing_facts=True)   # as `riskengine assess` does
    if view == "json":
        return Response(a.to_json(), media_type="application/json")
    if view == "print":
        from riskengine.render.report import render_html
        return HTMLResponse(render_html(a, lang))
    case_json = json.dumps(raw, ensure_ascii=False, default=_json_default)
    return _page("result.html", lang=lang, **result_context(a, case, lang, loaded), case_json=case_json)


def _highlight(narrative: str, hits) -> list[dict]:
    """The narrative cut into plain and marked pieces (non-overlapping, in order)."""
    pieces, at = [], 0
    for i, h in enumerate(sorted(hits, key=lambda h: (h.start, h.end))):
        if h.start < at or h.end > len(narrative):
            continue
        if h.start > at:
            pieces.append({"text": narrative[at:h.start]})
        pieces.append({"text": narrative[h.start:h.end], "signal": h.signal, "start": h.start})
        at = h.end
    if at < len(narrative):
        pieces.append({"text": narrative[at:]})
    return pieces


SOURCE_WORDS = {"zh": {"declared": "已勾选", "narrative": "叙述中提到"},
                "en": {"declared": "declared", "narrative": "in the narrative"}}
DERIVED = {"derived.is_financial": ("金融类投诉", "Financial complaint")}


def _fact(k: str, v: Any, lang: str, signals: dict, finding_words: dict) -> dict | None:
    """One matched fact in words: a signal by its name, a finding by the rule that asserted it, a field by its
    label and value; a finding that did not hold is left out (it has no words of its own)."""
    yes, no = UI[lang]["yes"], UI[lang]["no"]
    name = lambda sid: signals[sid].name.get(lang) if sid in signals else sid  # noqa: E731
    if k.startswith("signal:"):
        shown = ("、" if lang == "zh" else ", ").join(SOURCE_WORDS[lang].get(p, p) for p in str(v).split("+")) \
            if isinstance(v, str) else (yes if v else no)
        return {"name": name(k.split(":", 1)[1]), "value": shown}
    if k.startswith("signals:"):
        present = v if isinstance(v, (list, tuple)) else []
        return {"name": label("signals", lang), "value": ("、" if lang == "zh" else ", ").join(name(x) for x in present)
                or no}
    if k.startswith("finding:"):
        if not v:
            return None
        fid = k.split(":", 1)[1]
        return {"name": finding_words.get(fid, fid.replace("_", " ")), "value": yes}
    if k in DERIVED:
        title = DERIVED[k][0 if lang == "zh" else 1]
    else:
        title = label(k, lang) if k in FIELD_LABELS else k.rsplit(".", 1)[-1].replace("_", " ")
    if isinstance(v, bool):
        shown = yes if v else no
    elif k in WORDS:
        shown = word(k, v, lang)
    elif isinstance(v, float) and v.is_integer():
        shown = f"{int(v):,}"
    else:
        shown = v
    return {"name": title, "value": shown}


def result_context(a, case, lang: str, loaded) -> dict:
    t = lambda x: _t(x, lang)  # noqa: E731
    steps = {s.rule: s for s in a.explanation}
    rules = loaded.engine.ruleset.rules_by_id
    signals = loaded.engine.ruleset.knowledge.signals
    signals = signals() if callable(signals) else signals
    hits = list(a.signals.from_narrative)
    finding_words: dict[str, str] = {}      # a finding in the words of the rule that asserted it
    for step in a.explanation:
        for f in (step.effect.get("findings") or []) if isinstance(step.effect, dict) else []:
            finding_words.setdefault(f, t(step.description))

    def why(rule_ids) -> dict:
        out_rules, facts, spans = [], [], []
        for rid in rule_ids or []:
            step = steps.get(rid)
            desc = t(step.description) if step else (t(getattr(rules.get(rid), "description", None)) if rid in rules
                                                     else "")
            out_rules.append({"id": rid, "text": desc})
            for k, v in (step.matched.items() if step else []):
                fact = _fact(k, v, lang, signals, finding_words)
                if fact is not None:
                    facts.append(fact)
                if k.startswith("signal:"):
                    spans += [h for h in hits if h.signal == k.split(":", 1)[1]]
                elif k.startswith("signals:") and isinstance(v, (list, tuple)):
                    spans += [h for h in hits if h.signal in v]
        seen, unique = set(), []
        for h in spans:
            if (h.start, h.end) not in seen:
                seen.add((h.start, h.end))
                unique.append({"text": h.text, "signal": t(signals[h.signal].name) if h.signal in signals
                               else h.signal, "start": h.start})
        return {"rules": out_rules, "facts": facts, "spans": unique}

    r = a.risk
    words, tone = countdown(a, lang, dt.date.today())
    sections = first_screen(a, lang, today=dt.date.today())
    missing = []
    for m in a.missing_facts[:6]:
        field = m.fact
        kind = "signal" if field.startswith("signal:") else "field"
        choices = None
        if field in ENUMS:
            choices = [(v, word(field, v, lang)) for v in typing.get_args(ENUMS[field])]
        elif field == "complainant.vulnerable":
            choices = [(v, word(field, v, lang)) for v in typing.get_args(case_model.Vulnerability)]
        elif field == "arbitration_agreement":
            choices = [("true", UI[lang]["yes"]), ("false", UI[lang]["no"])]
        missing.append({"fact": field, "question": t(m.question), "kind": kind, "choices": choices,
                        "numeric": field in INTS or field in FLOATS, "n": len(missing)})
    strategy = None
    if a.strategy:
        strategy = {"name": t(a.strategy.name), "steps": [t(s) for s in a.strategy.steps],
                    "why": why(a.strategy.rules),
                    "also": [{"name": t(x.name), "why": why(x.rules)} for x in a.strategy.also],
                    "outranked": [{"name": t(x.name), "why": why(x.rules)} for x in a.strategy.outranked]}
    e = a.escalation
    return {
        "a": a, "sections": sections, "level_word": LEVEL_WORDS[lang][r.level], "level": r.level,
        "dims": [{"key": d, "name": DIMENSION_WORDS[lang][d], "value": getattr(r.dimensions, d)} for d in DIMS],
        "countdown": words, "countdown_tone": tone, "respond_by": e.respond_by.isoformat() if e.respond_by else "",
        "deadline": t(e.deadline.name) if e.deadline else "", "owner": t(e.owner), "within": e.within_hours,
        "escalation": {"level": e.level, "name": t(e.name), "why": why(e.rules)},
        "strategy": strategy,
        "script": [{"situation": s.situation, "text": t(s.text), "why": why(s.rules)} for s in a.script.say],
        "never": [{"name": t(x.name), "severity": SEVERITY_WORDS[lang].get(x.severity, x.severity),
                   "sev": x.severity, "why_text": t(x.why), "instead": t(x.say_instead), "why": why(x.rules)}
                  for x in ranked_taboos(a)],
        "channels": [{"name": t(c.name), "reason": t(c.reason), "why": why(c.rules)} for c in a.channels],
        "excluded": [{"name": t(c.name), "reason": t(c.reason), "why": why(c.rules)} for c in a.channels_excluded],
        "legal": [{"law": t(x.law), "article": x.article, "summary": t(x.summary), "verified": x.verified}
                  for x in a.legal_bases],
        "missing": missing, "narrative": _highlight(case.narrative, hits),
        "risk_why": why([s.rule for s in a.explanation if isinstance(s.effect, dict) and s.effect.get("points")]),
        "version": loaded.version,
    }


def mount(app) -> None:
    """The page at / and its static files (served from the package: nothing from the internet)."""
    app.include_router(router)
    app.mount("/static", static, name="static")
