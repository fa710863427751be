"""The sign-off review as Markdown and as HTML (one document model, two renderings; zh first, en beside)."""
from __future__ import annotations

import html
from typing import Any

from riskengine.authoring.review import Review

Block = tuple[str, Any]


def _blocks(r: Review) -> list[Block]:
    b: list[Block] = [("h1", "规则变更审批报告 / Ruleset change review")]
    verdict = ("不可批准：存在阻断项 / BLOCKED: this change cannot be approved as it is" if r.blocked
               else "可提交审批 / Ready for sign-off")
    b.append(("verdict", (r.blocked, verdict)))
    b.append(("table", (["", ""], [
        ["编制人 / Prepared by", r.reviewer], ["时间 / When", r.when],
        ["规则集版本 / Ruleset version", f"{r.old_version} → {r.new_version}"],
        ["原规则集 / Base folder", r.old_dir], ["新规则集 / New folder", r.new_dir]])))
    if r.blockers:
        b.append(("h2", "阻断项 / Blocking"))
        b.append(("ul", r.blockers))
    if r.notes:
        b.append(("ul", [f"注意 / Note: {n}" for n in r.notes]))

    b.append(("h2", "1. 校验 / Validation"))
    warnings = len(r.problems) - len(r.errors)
    b.append(("p", f"{len(r.errors)} 个错误，{warnings} 个警告 / {len(r.errors)} error(s), {warnings} warning(s)"))
    if r.problems:
        b.append(("ul", [str(p) for p in r.problems]))

    b.append(("h2", "2. 规则测试与覆盖率 / Rule tests and coverage"))
    t = r.tests
    if t is None:
        b.append(("p", "未运行 / not run"))
    else:
        b.append(("p", f"{t.total - len(t.failed)} / {t.total} 通过 / passed ({', '.join(t.paths)}); "
                       f"覆盖率 / coverage {t.fired}/{t.rules} = {t.coverage_percent:.1f}%"))
        if t.failed:
            b.append(("table", (["测试 / Test", "失败原因 / Failures"],
                                [[f"{name} ({file})", "; ".join(f)] for file, name, f in t.failed])))
        if t.unfired:
            b.append(("table", (["规则文件 / Rule file", "没有测试触发的规则 / Rules no test fires"],
                                [[file, ", ".join(ids)] for file, ids in sorted(t.unfired.items())])))

    b.append(("h2", "3. 案件影响 / Change impact on cases"))
    imp = r.impact
    if imp is None:
        b.append(("p", "未提供案件 / no cases given (--cases)"))
    else:
        assessed = [c for c in imp.cases if not c.error]
        b.append(("p", f"{len(imp.changed)} / {len(assessed)} 个案件结果改变 / cases change"
                       + (f"; {len(imp.cases) - len(assessed)} 个无法评估 / could not be assessed"
                          if len(assessed) != len(imp.cases) else "")))
        for fld, table in imp.transitions().items():
            b.append(("table", ([f"{fld} 变化 / transition", "案件数 / cases"],
                                [[k, str(n)] for k, n in sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))])))
        if imp.changed:
            b.append(("h3", "改变的案件 / Cases that change"))
            b.append(("table", (["案件 / Case", "位置 / Where", "变化 / Changes"],
                                [[c.case_id, c.location, "; ".join(f"{k}: {_v(a)} → {_v(z)}"
                                                                   for k, (a, z) in c.changes.items())]
                                 for c in imp.changed])))
        errors = [c for c in imp.cases if c.error]
        if errors:
            b.append(("ul", [f"{c.location}: {c.error}" for c in errors]))

    b.append(("h2", "4. 决策日志回放 / Decision log replay"))
    if not r.replayed:
        b.append(("p", "未提供决策日志 / no decision log given (--log)"))
    else:
        b.append(("p", f"{r.replayed} 条已回放，{len(r.replay)} 条不同 / {r.replayed} replayed, {len(r.replay)} differ"))
        if r.replay:
            rows = []
            for x in r.replay:
                parts = [f"{k}: {_v(a)} → {_v(z)}" for k, (a, z) in x.changes.items()]
                if x.fired_added:
                    parts.append("now fires / 新触发 " + ", ".join(x.fired_added))
                if x.fired_removed:
                    parts.append("no longer fires / 不再触发 " + ", ".join(x.fired_removed))
                rows.append([str(x.line), x.case_id, x.logged_version, x.error or "; ".join(parts)])
            b.append(("table", (["行 / Line", "案件 / Case", "记录版本 / Logged with", "差异 / Differences"], rows)))

    b.append(("h2", "5. 规则与知识的变更 / Rules and knowledge changed"))
    if not r.entry_changes:
        b.append(("p", "无 / none"))
    else:
        rows = []
        for c in r.entry_changes:
            where = (" → ".join(w for w in (c.old_at, c.new_at) if w) if c.change == "changed"
                     else (c.old_at or c.new_at))
            detail = "; ".join(f"{f}: {a} → {z}" for f, a, z in c.fields)
            rows.append([c.kind, c.key, {"added": "新增 / added", "removed": "删除 / removed",
                                         "changed": "修改 / changed"}[c.change], where, detail])
        b.append(("table", (["类别 / Kind", "编号 / Id", "变更 / Change", "位置 / Where", "内容 / Details"], rows)))

    b.append(("h2", "审批 / Sign-off"))
    b.append(("table", (["", ""], [["审批人 / Approved by", ""], ["职务 / Role", ""], ["日期 / Date", ""],
                                   ["签名 / Signature", ""]])))
    return b


def _v(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value)) or "-"
    return str(value)


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>") or " "


def render_markdown(r: Review) -> str:
    out: list[str] = []
    for kind, payload in _blocks(r):
        if kind in ("h1", "h2", "h3"):
            out.append("#" * int(kind[1]) + " " + payload)
        elif kind == "verdict":
            out.append(f"**{payload[1]}**")
        elif kind == "p":
            out.append(payload)
        elif kind == "ul":
            out.append("\n".join(f"- {_md_cell(x)}" for x in payload))
        elif kind == "table":
            header, rows = payload
            lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |",
                     "|" + "|".join("---" for _ in header) + "|"]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


CSS = """body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:70rem;margin:2rem auto;
padding:0 1rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #bbb;
padding:.3rem .5rem;vertical-align:top;text-align:left}th{background:#eef3fa}.verdict{font-size:1.2rem;
padding:.6rem 1rem;border-radius:.3rem}.blocked{background:#fde2e2;color:#8a1010}.ready{background:#e3f4e1;
color:#1d5e17}code{font-size:.9em}"""


def render_html(r: Review) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="zh"><head><meta charset="utf-8">',
           f"<title>Ruleset change review {e(r.old_version)} → {e(r.new_version)}</title>",
           f"<style>{CSS}</style></head><body>"]
    for kind, payload in _blocks(r):
        if kind in ("h1", "h2", "h3"):
            out.append(f"<{kind}>{e(payload)}</{kind}>")
        elif kind == "verdict":
            blocked, text = payload
            out.append(f'<p class="verdict {"blocked" if blocked else "ready"}">{e(text)}</p>')
        elif kind == "p":
            out.append(f"<p>{e(payload)}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{e(str(x))}</li>" for x in payload) + "</ul>")
        elif kind == "table":
            header, rows = payload
            head = "" if not any(header) else "<tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"
            body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
            out.append(f"<table>{head}{body}</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
