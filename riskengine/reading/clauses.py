"""Who does what, and how it is said: sentences, clauses, the actor and the modality of a span.

A narrative is split into sentences (。！？；; newline, and ". ") and clauses (also ，, ： — but not the
enumeration comma 、, which joins a list). For a span the reader decides:

* the **actor**: the last actor word before it in its sentence (我/客户/I/the consumer → the complainant;
  银行/催收/collector/the bank → the firm; 中介/维权公司/claims company → a third party). "they", "he",
  "对方" stand for the last firm or third-party word before them (the firm when there is none). An
  action done *to* the complainant ("起诉我", "threatened me", "威胁我说要起诉") is not the complainant's.
  With no actor word the narrator's side is meant: the complainant.
* the **modality**: negated (a negation before it whose scope reaches it: the scope runs to the end of
  the clause, over a list joined by 、/or/and, and stops at 就/但/but/so, a new subject or a sentence
  end); hoped (希望/hope); feared (担心/afraid); conditional (如果/否则/不…就/if/unless/or else anywhere in
  the sentence; also a will-not offered for a price: "我不会发网上，只要你们赔…"); future (要/会/will, or
  a time ahead anywhere in the clause: 下周/下礼拜/tonight); past (已经/曾/already/had); else asserted.
* Cantonese function words are read as Mandarin ones (唔 不, 冇 没, 佢哋 他们); a staff report's label and a
  transcript's bracketed label are sentences of their own; inside the other side's quoted words the first
  person is that speaker; laughter just after what is said makes it a jest (docs/narrative.md §3).

The words behind each decision are concepts too (``marker_*`` and ``actor_*`` in
knowledge/concepts.yaml, matched exactly as written); the lists below are used when a knowledge folder
does not define them.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from riskengine.contracts.knowledge import Concept, Text

MARKERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "marker_negation": (
        ("没有", "没", "未曾", "未", "尚未", "不要求", "并不要求", "并无", "毫无", "不会", "不想", "不打算", "并未", "从未", "从没", "无意", "不曾", "并没有", "不是",
         "也没", "也不", "绝不", "决不", "不再", "并不", "根本不", "绝对不", "不准备", "没打算", "无需", "不用", "不必", "不需要", "不认为", "不觉得",
         "不涉及", "不属于", "不存在"),
        ("not", "no", "never", "didn't", "don't", "doesn't", "won't", "haven't", "hasn't", "wasn't", "weren't",
         "without", "nor", "neither", "cannot", "can't", "couldn't", "wouldn't", "isn't", "aren't", "nobody",
         "none", "hadn't", "didnt", "dont", "wont", "havent", "nothing")),
    "marker_scope_break": (
        ("就", "才", "但", "却", "可是", "然而", "所以", "于是", "只能", "只好", "我要", "我会", "我将", "我们要",
         "还要", "而是", "只是", "反而", "然后", "现在", "因此", "甚至"),
        ("but", "however", "yet", "although", "though", "because", "so", "since", "until", "unless", "if",
         "when", "then", "therefore", "instead", "i", "we", "they", "he", "she", "you", "which", "who",
         "now", "after", "even", "and to")),
    "marker_conditional": (
        ("如果", "若", "假如", "要是", "万一", "否则", "不然", "要不然", "除非", "再不", "如若", "倘若", "如不", "若不"),
        ("if", "unless", "otherwise", "or else", "should they", "should you", "in case", "no choice but",
         "leave me no choice", "leaves me no choice", "left me no choice", "leaving me no choice")),
    "marker_hope": (
        ("希望", "但愿", "期望", "期待", "盼望", "恳请", "请不要", "求求"),
        ("hope", "hoping", "hoped", "hopefully", "wish", "pray")),
    "marker_fear": (
        ("担心", "害怕", "怕", "恐怕", "唯恐", "生怕", "担忧"),
        ("afraid", "worried", "worry", "fear", "feared", "scared", "terrified")),
    "marker_future": (
        ("要", "会", "将", "准备", "打算", "想", "计划", "决定", "马上", "明天"),
        ("will", "'ll", "going to", "gonna", "plan to", "planning to", "intend to", "shall", "would", "about to",
         "prepared to", "prepare to", "ready to")),
    "marker_future_time": (
        ("今晚", "明天", "明早", "下周", "下个月", "过几天", "改天", "下礼拜", "下个礼拜", "下星期", "下个星期", "过两天",
         "过些天", "过段时间", "回头我", "回头就", "回头再", "下次", "明年", "后天", "这周末", "周末前"),
        ("tonight", "tomorrow", "next week", "next month", "this weekend", "later today", "in a few days",
         "in the next few days", "in the coming days", "later this week", "next year", "the day after tomorrow")),
    "marker_past": (
        ("已经", "已", "曾经", "曾", "上周", "昨天", "之前", "去年", "上个月", "前天", "早已"),
        ("already", "had", "have", "has", "did", "was", "were", "last", "yesterday", "previously", "ago", "filed",
         "sued", "lodged", "submitted", "brought")),
    "actor_complainant": (
        ("我", "我们", "本人", "客户", "投诉人", "消费者", "当事人", "申请人", "来访人", "该客户", "投保人", "被保险人",
         "我家", "我方", "借款人", "持卡人", "老人", "家属"),
        ("i", "we", "i'm", "i've", "i'll", "i'd", "consumer", "customer", "the complainant", "my husband",
         "my wife", "my son", "my daughter", "my family", "myself", "the borrower", "cardholder", "visitor", "the caller")),
    "actor_firm": (
        ("银行", "公司", "贵司", "保险公司", "平台", "商家", "卖家", "催收", "催收员", "催收人员", "客服", "工作人员",
         "业务员", "理财经理", "经理", "柜员", "网点", "支行", "分行", "机构", "贷款方", "债权人", "外包公司",
         "行长", "店员", "员工"),
        ("the bank", "my bank", "the company", "collector", "debt collector", "collection agency", "collections agency",
         "representative", "rep", "lender", "servicer", "creditor", "employee", "manager", "agent",
         "the store", "the seller", "merchant", "the firm", "the insurer", "the branch",
         "agency", "law firm")),
    "actor_third_party": (
        ("中介", "代理人", "代理机构", "维权公司", "咨询公司", "律所", "法律顾问", "顾问", "该男子", "陪同人员",
         "黑产", "代理公司", "维权人员", "所谓的律师", "自称律师", "退保公司", "退保机构", "代理团队", "陌生人", "男子", "女子"),
        ("claims management company", "claims company", "claims firm", "debt relief company",
         "debt settlement company", "debt relief firm", "credit repair company", "third party", "third-party",
         "the consultant", "so-called advocate", "stranger", "claims agent", "refund agent", "recovery agent")),
    "actor_pronoun": (
        ("对方", "他们"),
        ("they", "he", "she")),
    "actor_complainant_object": (
        ("我", "我们", "本人", "客户", "我家人", "家人"),
        ("me", "us", "my family", "myself", "my wife", "my husband", "my parents", "my employer")),
    "marker_offer_condition": (
        ("只要你们", "只要你", "只要贵司", "只要公司", "只要银行", "只要商家", "只要店家", "只要赔", "只要退", "只要给", "只要私了",
         "只要把", "如果你们", "如果贵司", "要是你们", "前提是", "条件是"),
        ("if you", "if they", "as long as you", "as long as they", "so long as you", "provided you", "provided that you",
         "providing you", "unless you", "unless they", "if the bank", "if the company", "if your company")),
    # what happened next: a clause that starts with one tells an act that followed, not one still under the
    # condition before it ("说不换就砸银行，随即举起凳子砸玻璃门": the stool was raised)
    "marker_sequence": (
        ("随即", "随后", "接着", "紧接着", "当即", "于是", "事后", "之后便", "然后就"),
        ("immediately after", "afterwards", "after that", "straight after", "moments later", "shortly after")),
    "marker_object_verb": (
        ("威胁", "恐吓", "告诉", "通知", "警告", "让", "叫", "要求", "逼", "骂", "对", "打给", "联系", "催", "找",
         "起诉", "告", "报警抓", "吓唬", "扬言要", "向", "给"),
        ()),
}
ACTOR_IDS = ("actor_complainant", "actor_firm", "actor_third_party", "actor_pronoun")
_HIDING = frozenset(ACTOR_IDS) | {"actor_complainant_object"}   # marker lists whose longer terms hide a word
FIRST_PERSON = frozenset({"我", "我们", "本人", "我家", "我方", "i", "we", "i'm", "i've", "i'll", "i'd", "myself"})
MARKER_IDS = frozenset(MARKERS)
# A speech verb after the sentence's first subject: what follows is what it says ("客户称", "the customer said").
_SPEECH_AFTER = re.compile(r"\s*(?:也|还|又|则|一再|多次|反复|再次|明确|当场)?(?:称|说|表示|反映|声称|讲|提出|告知|坚持|扬言|要求|"
                           r"(?:said|says|stated|states|told|tells|claimed|claims|explained|insisted|reported|wrote|mentioned)\b)")
# The consequent of an ultimatum ("要求公司直接赔钱，否则就去法院告"): who acts there is who made the demand,
# never the party told to act in it (公司, a pivot object, even with an adverb of its own after it).
_ULTIMATUM = re.compile(r"\s*(?:否则|不然|要不然|要不|再不然)")
_GOES_ON = re.compile(r"\s*(?:还|又|也|并且|并|竟然|竟|甚至|而且|随即|接着|继续|反而|(?:and|then|also)\b)")
# A handler note's opening label ("客户经理回访记录：", "工单备注：", "风控提示：", "Fraud team:"): a sentence of its own,
# so the writer's role it names is not an actor or a veto word of the story after it.
_NOTE_HEADING = re.compile(r"[^，,。！？!?；;\n：:\"“]{0,14}(?:记录|备注|提示|纪要|转办件|说明|反映|notes?|team|summary)\s*[：:]\s*")
_ARTICLE_GAP = re.compile(r"\s+(?:(?:the|a|an|our|your|their|his|her|my|this|that)\s+)+")   # "called the agent"
_DETERMINER = re.compile(r"(?:the|a|an) ")    # an article adds no one ("our agent" stays a name of its own)
# Whose an "agent" is: the firm's ("our agent", "the insurance agent", "a customer service agent") …
_FIRM_AGENT = re.compile(r"\b(?:our|your|their|its|insurance|insurer's|service|support|bank|bank's|company's|"
                         r"lender's|servicer's|sales|phone|call center|customer service|collection|collections|"
                         r"title|closing|escrow|listing|real estate|leasing|loan|mortgage|travel|booking|ticket|"
                         r"gate|rental|shipping|delivery) $")   # a service's own agents too: not hired by the customer
# … or the customer's, hired to act for them ("my agent" in a story of an agent firm).
# What a letter, notice or call the complainant received says is its sender's act, not the complainant's.
_MESSAGE_SAYS = re.compile(
    r"\b(?:receiv\w*|got|get|gets|getting)\b(?:(?![.;!?,]| and | but | then )[^.;!?,]){0,30}?\b(?:letters?|notices?|"
    r"notifications?|calls?|messages?|texts?|e-?mails?|voicemails?|statements?|bills?|summons)\b"
    r"(?: (?:of|about|regarding)\b|(?:(?![.;!?]| and i | but i | i )[^.;!?]){0,40}?\b(?:stating|saying|says|said|stated|"
    r"states|informing|threatening|warning|advising|notifying|that)\b)|"
    r"收到(?:(?![。；！？，,]).){0,15}?(?:短信|通知|信函|来信|律师函|催收函|电话|邮件|语音|消息)"
    r"(?:(?![。；！？]).){0,8}?(?:称|说|表示|写着|内容|提示|告知|警告|要求)")
FIRM_SELF = ("我司", "我行", "本公司", "本行")    # the firm writing about itself (a handler's note)
# A firm word right after one of these is a place or a target, not a subject ("at the branch", "到网点").
# "He told the agent he would …": a he/she just after a verb of telling and its object is, as a rule, the
# teller (reported speech), not the nearer person told. Read on the text before the pronoun.
_TOLD_BEFORE = re.compile(r"\b(he|she)\s+(?:told|informed|warned|assured|reminded|promised|wrote to)\s+"
                          r"(?:[a-z'’]+\s+){0,3}?(?:that\s+)?$")
_PLACE_BEFORE = re.compile(r"(?:\b(?:at|to|into|in|inside|outside|from|near) (?:the |this |our |your |a )?$)|(?:[到在去来向]$)")
NOT_A_PERSON = frozenset({"the bank", "the company", "the store", "the firm", "the insurer", "the branch", "agency",
                          "law firm", "collection agency", "collections agency", "lender", "servicer", "creditor",
                          "银行", "公司", "保险公司", "平台", "网点", "支行", "分行", "机构"})


def default_markers() -> dict[str, Concept]:
    return {cid: Concept(id=cid, name=Text(zh=cid, en=cid), zh=zh, en=en) for cid, (zh, en) in MARKERS.items()}


# A full stop ends a sentence unless it ends a dotted abbreviation ("15 u.s.c. 1692g", "e.g. ", "mr. ") or
# an initial ("r. delgado", "mr. j. smith"; not "i.": "my wife and i. we …"):
# what must hold just after the full stop (the look-behinds follow it, so they are tried only there).
_AFTER_STOP = (r"(?<!\b[a-z]\.[a-z]\.)(?<!(?<![.'’])\b[a-hj-z]\.)(?<!\bmr\.)(?<!\bmrs\.)(?<!\bms\.)(?<!\bdr\.)(?<!\bvs\.)(?<!\bst\.)"
               r"(?<!\bjr\.)(?<!\bsr\.)(?=[\"'”’)]*(?:\s|$))")   # a closing quote or bracket may follow


def _ends(marks: str) -> re.Pattern:
    """A run of ``marks``, a full stop that ends a sentence, or a run of ellipses. Written as one
    character of a class and then what follows that character: a pattern that starts with a character
    class lets re jump from one such character to the next in C (a leading look-ahead, or alternatives,
    would be tried at every position of the text)."""
    # A "!" or "?" between two letters or digits is a spelling dodge ("l!fe p0licy", "pr?mium"), not an end.
    return re.compile(f"[{marks}.…](?:(?<=[{marks}])(?:(?<![a-z0-9][!?])|(?![a-z0-9]))[{marks}]*|(?<=\\.){_AFTER_STOP}|"
                      f"(?<=…)…*)")


_SENTENCE_END = _ends("。！？!?；;\n")
_CLAUSE_END = _ends("。！？!?；;\n，,：:")
_OBJECT_AFTER = re.compile(r"\s*(我(?!了)|本人|客户|他(?!们)|她(?!们)|me\b|us\b|him\b|her\b|"
                           r"my (family|wife|husband|parents|employer|kids|children)\b)")
_EN_WORD = re.compile(r"[a-z0-9']+")

NEG_REACH_ZH = 15    # characters a Chinese negation, hope or fear reaches at most
NEG_REACH_EN = 10    # words an English one reaches
SHORT_NEGATION = {"no": 3, "without": 4, "none": 2, "nobody": 6, "nothing": 4}   # English words that negate only what follows closely
_RHETORICAL = frozenset({"不是", "isn't", "wasn't", "aren't"})   # negations a question turns into assertions
_OWN_NEGATION = frozenset("不没别无未非")   # a negation character a span itself starts with is its own ("不想活了")
# Negations of what one will do: with a condition on the other side after the act ("我不会发网上，只要你们赔…",
# "I won't post anything if you pay me") they offer silence for a price, a threat conditioned on payment.
# Not an unwillingness ("不想打官司，只要把多扣的钱退回来就行") nor a modest "that is all I ask" (就行, 就可以):
# those settle, they do not threaten.
_WILL_NOT = frozenset({"不会", "绝不", "决不", "won't", "wont", "wouldn't"})
_ALL_I_ASK = re.compile(r"就行|就可以|就好|即可|就够|而已|罢了|that's all|that is all|all i (?:want|ask)|is all i")
_WILL_BEFORE_NOT = re.compile(r"\b(?:will|would|'ll|am|are|is)(?: never| not)?$")   # "will not", "will never"
_BIE_WORDS = frozenset("分特区告类识级性派个差辨鉴判甄")   # 分别, 特别, 区别 … : 别 here is not "don't"
# 会 as a noun (a council, a meeting), not "will": the 会 of 金管会, 消委会, 证监会, 银保监会, 协会, 开会 …
_COUNCIL_BEFORE = frozenset("管委监协工基学商社机开大理董年聚约例晚宴议省市")
_COUNCIL_AFTER = ("员", "议", "计", "所", "长", "场", "谈", "见", "晤", "面", "费")
# a body's name of two characters before its 会: 仲裁委员会, 消费者权益保护委员会, 董事会, 股东大会, 基金会, 座谈会 (not
# "业务员会上门": a one-character 员 is a person who will)
_COUNCIL_NAME = re.compile(r"(?:委员|董事|理事|监事|股东|联合|促进|研究|基金|调解|听证|座谈|说明|见面|茶话|联谊|展销|"
                           r"博览|交易|推介|恳谈|协调|评审|审委|业委|居委|村委)$")
# 没 that denies nothing: 没完 ("这事没完", 没完没了: it is not over), 没过几天 / 没过多久 (soon after)
_MEI_NOT_NEGATION = re.compile(r"没完|没过(?:几|多|两|一|半|三)")
# The contracted will and would: "I'll post it online", "she'll sue" (future); "he'd go to the papers" (a
# condition), not "he'd gone", "I'd already …" (had). The present of a plan: "I'm contacting my MP".
_WILL_SHORT = re.compile(r"\b(?:i|we|you|he|she|they|it)['’]ll\b")
_WOULD_SHORT = re.compile(r"\b(?:i|we|you|he|she|they)['’]d\s+(?!(?:been|had|have|already|just|never|not|"
                          r"better|rather|also|since|previously|recently|long)\b)(?![a-z]+ed\b)[a-z]")
_PLAN_PRESENT = re.compile(r"\b(?:i|we|they|he|she)['’](?:m|re|s)\s+(?:now\s+|also\s+|definitely\s+)?"
                           r"(?:contacting|reporting|taking|posting|escalating|sending|putting|speaking|talking|"
                           r"reaching|suing|publishing|sharing|pursuing|getting|hiring|seeking|going|calling)\b")
_CONTRACTION = re.compile(r"['’]")     # "they're" -> "they"
# an intent taken back after it is said (Doc._withdrawn); 打算了/计算了/算了一下, 就这么算了 (not let go),
# 逼死我算了 / 死了算了 (might as well die: despair, not a retraction) and
# 这事就算了 (the price of silence: "给我两万块这事就算了") are not
_WITHDRAWN_ZH = re.compile(r"(?<!打)(?<!计)(?<!这么)(?<!这样)(?<!轻易)(?<!事就)(?<!事)(?<!死)(?<!死我)(?<!了)算了(?![一下算账笔])|作罢|打消了|"
                           r"放弃了?(?:这个|那个)?(?:念头|想法|打算)")
_WITHDRAWN_EN = re.compile(r"\b(?:changed (?:my|his|her|our|their) minds?|decided (?:not to|against)|"
                           r"won['’]?t bother|dropped the idea|gave up (?:on )?the idea|thought better of it)\b")
# "denied any plan to harm himself", "否认有轻生念头": a handler's note that the customer denies a thought
_DENIED = re.compile(r"\b(?:denie[sd]|deny|denying)\b")
_THOUGHT_EN = re.compile(r"\b(?:plans?|thoughts?|intent|intents|intentions?|ideas?|ideation|wish|wishes|desire|"
                         r"urges?|feelings?|suicidal|self-harm|self harm|harming|hurting|killing)\b")
_THOUGHT_ZH = ("念头", "想法", "打算", "计划", "意图", "倾向", "意念", "行为", "冲动")
_SELF_HARM_ZH = re.compile(r"自杀|轻生|自残|自伤|寻短见|跳楼|跳河|割腕|不想活|结束生命|伤害自己")
PRIORITY = ("negated", "hoped", "feared", "conditional", "future", "past", "asserted")
# Cantonese function words read as their Mandarin equivalents, one character for one (the offsets stay):
# 唔 不 ("再唔赔我就…": a condition; "唔会去搞传媒": denied), 冇 没 ("我冇话要告你"), 佢(哋) 他(们), 我哋 我们,
# 嘅 的, 咗 了, 喺 在, 嚟 来. Only the grammar reads this copy; concepts are found on the text as written.
_YUE = str.maketrans({"唔": "不", "冇": "没", "哋": "们", "佢": "他", "嘅": "的", "咗": "了", "喺": "在", "嚟": "来"})
_YUE_CHARS = frozenset("唔冇哋佢嘅咗喺嚟")
_ADVERB_AFTER_ZH = ("就", "才", "都", "也", "还", "一定", "肯定", "马上", "直接", "立刻", "绝对", "必须", "非要", "偏要", "真的")
_BRACKET_LABEL = re.compile(r"\s*[(（【\[][^()（）【】\[\]]{1,20}[)）】\]]\s*")
_ZAI_JIU = re.compile(r"(?:你们|他们|对方|你)再(?!三|见|也|说|次确认)[^。！？；]{1,20}?[，,]?[^。！？；，,]{0,8}就(?!是)")
_PROSPECTIVE_ZH = re.compile(r"回去就|回去后|回去以后|到时候|到时|转头就|立马|立刻就|马上就|等会儿?就|一会儿就|回家就")
# The rest of a list put first, then the one who acts on it ("银行、监管、法院我都找遍了", "客服、经理我都找过")
_FRONTED_LIST_SUBJECT = re.compile(r"(?:[、和及][^，,。；;！？!?、]{1,8}?)*(?:我们|我|本人)(?:都|也|全|已经|早就|一个个|挨个)")
# 的话 closing a condition ("不给的话我明天就举报", "再拖的话…"); not the words someone said (说的话, 骂人的话)
_DE_HUA = re.compile(r"(?<![说讲骂问听过人])的话")
# 不 inside a word that refuses nothing, so no 不…就 condition: 不满, 不知道, 不料, 不久, 对不起, 不停 …
_BU_WORD = re.compile(r"不满|不知|不懂|不明白|不清楚|不理解|不料|不仅|不但|不过|不断|不停|不少|不久|不一会|对不起|看不起|"
                      r"了不起|不耐烦|不得不|不管|不同|不一样")
# "not yet" before a 就: an act that came too soon (还没到期就扣款, 尚未签字就, 没等我说完就挂了, 还不到期就, 不到一个月就)
_NOT_YET = re.compile(r"还没|还未|尚未|没等|未等|不等(?!于)|没来得及|还不到|(?:^|(?<=[，,。]))不到|不出[一二三两几半十\d]")
_GOES_ON_ZH = re.compile(r"\s*(?:顺便|顺带|还要|还得|再去|再|并且|而且|同时|也要|另外还|外加|连同)")
# 把 opens the object a verb disposes of: person words after it are in that object, not who acts
# ("我就把你们业务员怎么忽悠我的录个视频发抖音": the customer posts); not 一把, 把握, 把关, 把手, 把柄
_BA = re.compile(r"(?<!一)把(?!握|关|手|柄|戏|玩)")
# A price demanded before a will-not ("Refund me $500 now and I won't …", "转我三千，我就…也不…"): silence for payment.
_PRICE_BEFORE_EN = re.compile(r"\b(?:pay|refund|give|send|transfer|wire|compensate|reimburse|venmo|zelle)\b(?:(?![.;!?]).)"
                              r"{0,80}?\band\s+(?:i|we)\s*(?:will|'ll|’ll)?\s*$")
_PRICE_BEFORE_ZH = re.compile(r"(?:给我|转我|赔我|退我|赔偿我|打给我|转给我|私了|给我们|赔我们|退一赔|赔\d|赔[一二三四五六七八九十两几]|"
                              r"转\d|给\d)(?:(?![。；;!?！？]).){0,40}?(?:就|也|便)(?:(?![。；;!?！？]).){0,30}$")

_OPEN_Q = "“「『"
# a new subject, contracted, or "there's" opening a clause of its own ("if I can't pay for it there's no point …")
_NEW_SUBJECT_EN = re.compile(r"\b(?:i|we|you|he|she|they|it)['’](?:ll|d|re|m|ve)\b|\b(?:he|she|it|there)['’]s\b")
_SAY_THINK_EN = re.compile(r"\b(?:said|say|says|saying|told|tell|mentioned|suggested|indicated|stated|threatened|think|thought|"
                           r"believe|believed|expect|expected|mean|meant|claim|claimed)\b")
_STOPPED = re.compile(r"\b(?:stop|stops|stopped|stopping|quit|quite stop)\b")
_SINGLE_QUOTE_CLOSES = re.compile(r"[a-z]'[,.;:]")
_CLOSE_Q = "”」』"
# between a speaker and the quote: a verb of saying and little else ("对我说：", "原话：", "said", "told me,")
_SAYS_THEN_QUOTE = re.compile(r"[^，,。；;!?！？]{0,6}?(?:称|说|讲|道|表示|原话|回复|答|喊|吼|骂|威胁|警告|扬言|"
                              r"said|says|told|wrote|replied|texted|messaged|warned|threatened|shouted|yelled|screamed)"
                              r"[^，,。；;!?！？]{0,6}?[：:,，]?\s*$")
_YOU_AFTER = re.compile(r"\s*(?:[^\s，,。；;！？!?\"“”]{0,2}?你(?!们的)|(?:[a-z]+\s+)?you\b)")       # "告你", "sue you": the listener, in a quote the complainant
# A speaker the writer names only by where they are, the other side: "那边的人", "对方的人", "他们那边的工作人员",
# "电话那头的小姑娘", "the people there", "the guy on the phone", "a woman at the branch", "the man I spoke to".
_VAGUE_SPEAKER = re.compile(
    r"(?:那边|那里|那儿|那头|对面|对方|他们那边|他们那里|电话那头|电话那边|电话里|店里|行里|公司里|里面)的?"
    r"(?:人|工作人员|员工|小姑娘|小伙子|小姐|先生|男的|女的|那个人|一个人|负责人)|"
    r"\b(?:people|person|guy|guys|man|woman|lady|girl|bloke|folks|fella|chap|someone|somebody)\s+"
    r"(?:(?:over\s+)?there|on the (?:phone|line|other end)|at the (?:branch|bank|office|counter|desk|front desk|store|shop|"
    r"call cent(?:er|re)|company|firm)|(?:i|we) (?:spoke|talked) (?:to|with))\b")
_OBJECT_BEFORE = re.compile(r"(?:对|跟|给|向|和|同|叫|让|问|告诉|通知|警告|威胁|骂|指着|冲着|朝着|朝|对着|看着|当着)$|\b(?:to|told|tell|tells|asked|warned|at)\s+(?:(?:the|a|an|my|your|our|their|his|her)\s+)?$")
_NP_NEGATION = frozenset({"没有", "没", "并没有", "也没", "毫无", "并无", "未", "尚未"})   # negations that can deny a thing
# A negation that denies a noun phrase ends where a new subject starts its own predicate: "没有备案号我早就
# 查过了" (only the 备案号 is absent; the customer did check). The subject is a person word after the phrase,
# not the object of a verb or a preposition (没有告诉我, 没跟银行说), followed by an adverb of its predicate.
_NEW_SUBJECT_ZH = re.compile(r"(?<![说诉知给让叫跟和与同对向被把帮替找问理管骗催告逼求请系通经])"
                             r"(?:我们|我|你们|你|他们|他|她们|她|本人|客户)"
                             r"(?=早|就|已|都|也|还|才|自己|亲自|一直|马上|当时|当场|立刻|刚|又|再|曾|本来|明明|确实|真的|肯定|"
                             r"专门|特意|特地|每天|天天|亲眼|亲手|去|来|在|把|被|有)")
# The partner of an act done together ("跟你们银行同归于尽", "拉着经理一起"): named after 跟/和/与/同/拉着, a firm or
# third party is who it is done with or to, not who acts.
_WITH_BEFORE = re.compile(r"(?:跟|和|与|同|拉着|拉上|连同)(?:你们|他们|那个|这个|这家|那家|该|整个)?$")
# A staff member's report whose content names its own subject ("网点主任报：客户…", "柜员反映：客户称…",
# "Branch manager reports: customer …"): the report's label is a sentence of its own, so the reporter is not
# the actor of what the customer does after the colon.
_STAFF_REPORT = re.compile(
    r"[^，,。！？!?；;\n：:\"“]{0,12}?(?:主任|经理|柜员|网点|营业厅|营业部|支行|分行|坐席|客服|大堂|保安|理赔员|业务员|专员|"
    r"稽核|总部|员工|工作人员|店长|店员|门店|柜面|机构|handler|agent|adviser|advisor|branch|manager|teller|staff|"
    r"colleague|security|team)[^，,。！？!?；;\n：:\"“]{0,6}?(?:报告|汇报|上报|通报|报|反映|反馈|称|说|表示|转述|记录|备注|"
    r"reports?|reported|says|said|notes?|noted|writes|wrote)\s*[：:]\s*(?=[\"“]?(?:该客户|客户|投诉人|来访人|持卡人|投保人|"
    r"买家|消费者|老人|customer|the customer|caller|the caller|consumer|mr|mrs|ms))")
# Laughter or a laughing emoji just after what is said makes it a jest, not meant ("想死的心都有了，哈哈",
# "I could kill myself lol"): not 呵呵 (a sneer, said in anger).
_JEST = re.compile(r"哈哈|嘻嘻|开玩笑|开个玩笑|说笑|笑死|[😂🤣😆😄😁😅😜😝]|\b(?:lol|lmao|haha\w*|jk|just kidding|only kidding|"
                   r"joking)\b")
_JEST_AHEAD = re.compile(r"\s*(?:" + _JEST.pattern + ")")     # opening the next sentence


# A transcript line's speaker label at a line start, after a time or date if any ("Them:", "14:03 对方：",
# "2026-10-12 21:04 催收：", "客服说：", "Collector said:"): the speaker, up to three short words.
_SPEAKER_LABEL = re.compile(r"[\d\-/:. 年月日]{0,24}?\s*([^\s:：,，。.!?！？\"“”]{1,12}?(?: [^\s:：,，。.!?！？\"“”]{1,12}){0,2}?)"
                            r"\s?(说|称|回复|答|said|says|wrote|replied)?\s?[:：]")
_OTHER_SIDE_WORDS = frozenset({"them", "they", "对方", "对面", "他们", "him", "he", "she", "her"})


# A negated verb of knowing or understanding and the why or how it asks ("I do not understand why the bank blocked
# my card", "我也不知道为什么银行冻结了我的卡", "没搞懂他们凭什么扣钱"): the negation denies the knowing, not the
# clause it introduces, which the why takes as a fact (not "不懂什么是现金价值", "don't know whether they will sue").
_KNOWING_EN = re.compile(r"\s*(?:(?:really|even|fully|quite|actually|just)\s+)?(?:understand|know|see|get|comprehend|"
                         r"figure out|remember|recall|follow|sure|idea|clue|explain|tell)\w*\s+(?:(?:me|us|to me)\s+)?"
                         r"(?:exactly\s+)?(?:why|how|that)\b")
_KNOWING_ZH = re.compile(r"(?:太|很|大|是很|怎么|能|可)?(?:明白|知道|理解|懂|清楚|晓得|搞懂|搞明白|搞清楚|弄懂|弄明白|弄清楚|"
                         r"想通|想明白|了解|记得|知)(?:的是)?[^，,。！？!?；;]{0,8}?(?:为什么|为何|凭什么|怎么|咋)")


# A person the note does not name ("一名男子", "该女子", "一位中年女士"), and what says whether that person is the
# complainant (Doc._complainant_persons): a complainant named before; the person as someone's object or companion
# (陪同/由/跟…一名男子, 遇到一名男子); a companion's or an agent's words after (陪同, 代, 自称, 顾问); the person's own
# business with the firm just after (要求, 称, 来到, 办理 …).
_GENERIC_PERSON = re.compile(r"(?:一名|一位|一个|有名|有位|有个|该|那名|这名|那位|这位|此)?(?:中年|老年|年轻|年长|[六七八]旬)?"
                             r"(男子|女子|男士|女士|男性|女性)")
_NAMED_SELF = re.compile(r"客户|投诉人|投保人|被保险人|持卡人|借款人|消费者|买家|来访人|申请人|我")
_PERSON_AS_OBJECT = re.compile(r"(?:陪同|由|和|与|跟|同|及|让|叫|找|见|遇到|遇见|看到|被|给|向|对|带着|带)$|"
                               r"(?:陪同|由|和|与|跟|同|及|让|叫|找|见|遇到|遇见|看到|被|给|向|对|带着|带)[^，,。]{0,3}$")
_OTHERS_WORDS = re.compile(r"陪同|代为|代替|代理|代办|替他|替她|受托|委托|自称|冒充|朋友|顾问|律师|老师|中介|维权|亲属|家属|儿子|女儿|"
                           r"丈夫|妻子|老公|老婆")
_OWN_BUSINESS = re.compile(r"[^，,。！？]{0,6}?(?:要求|称|投诉|来到|到|进入|来|在|办理|申请|反映|咨询|质问|拒绝|持|携|拿着|致电|来电|"
                           r"打电话|情绪|大声|不满)")

# Words that join a clause on and name no one: a term "or i'll" still has the speaker act.
_JOINING_WORDS = re.compile(r"(?:(?:or|and|then|so|else|otherwise|if|but|now|because|when|or else|and then)\s+)+")
# A dare before an act makes it a threat of what one will do ("你信不信我发到朋友圈", "信唔信我去告你", "看我敢不敢",
# "watch me", "just try me", "see if I don't").
_DARE = re.compile(r"信不信|信唔信|看我敢不敢|看我怎么|\b(?:watch me|try me|see if i don['’]?t|just you wait)\b")
_BELIEF = re.compile(r"\b(?:think|thinks|thought|believe|believes|believed|suspect|suspects|suspected|say|says|said|"
                     r"claim|claims|claimed|assume|assumes|assumed|accuse|accuses|accused)\b|认为|觉得|以为|怀疑|说|声称|指责|咬定")


class _Span:
    """A bare span, where a check expects an occurrence (a negation 不 found by position, not by the lexicon)."""
    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int):
        self.start, self.end = start, end


@dataclass(frozen=True)
class Classified:
    sentence: int     # 1-based
    actor: str
    modality: str
    against: bool = False   # done to the complainant ("起诉我", "threatened me")


class Doc:
    """One normalised narrative with its sentences, clauses and marker words (found once, on demand)."""

    def __init__(self, text: str, occurrences: dict, markers=None, folded: str | None = None, cover=None):
        """``occurrences``: concept id -> [Occurrence] of the reading concepts over the whole text;
        ``markers``: the lexicon of the marker_/actor_ concepts, read one sentence at a time when a
        hit needs them (most sentences never do); ``cover``: a :class:`~riskengine.reading.lexicon.TermCover`
        of the text, which tells the longer terms around a word when ``occurrences`` holds only the
        concepts the readings need (without it, the longer terms are looked for in ``occurrences``)."""
        self._cover = cover
        folded = folded if folded is not None else text
        if not _YUE_CHARS.isdisjoint(text):      # Cantonese: its function words read as Mandarin ones
            text, folded = text.translate(_YUE), folded.translate(_YUE)
            if markers is not None and hasattr(markers, "lexicon"):
                markers = type(markers)(markers.lexicon, folded)
        self.text = text
        self.occ = occurrences     # concept id -> [Occurrence], from the lexicon
        self._self_persons = self._complainant_persons(text)
        if self._self_persons:     # "一名男子要求柜员…": the man is the complainant, no third party of the story
            self.occ = self._without_persons(occurrences)
        self._folded = folded
        self._marker_lexicon = markers
        self._sent = [0] + [m.end() for m in _SENTENCE_END.finditer(text)]
        label = _BRACKET_LABEL.match(text)
        if label and label.end() < len(text):
            self._sent.insert(1, label.end())    # "（在线客服对话）…": a transcript's label is no party in it
        head = _NOTE_HEADING.match(text)
        if head and head.end() < len(text) and head.end() not in self._sent:
            self._sent.insert(1, head.end())   # "客户经理回访记录：…": the note's label is no party in its story
        if "：" in text or ":" in text:
            # "网点主任报：客户…": a staff report's label at any sentence start is a sentence of its own
            for s0 in list(self._sent):
                head = _STAFF_REPORT.match(text, s0)
                if head and head.end() < len(text) and head.end() not in self._sent:
                    bisect.insort(self._sent, head.end())
        self._clause = [0] + [m.end() for m in _CLAUSE_END.finditer(text)]
        self._by_sentence: dict[int, dict[str, list]] = {}
        self._starts: dict[str, list[int]] = {}     # concept id -> starts of self.occ[cid], for bisect
        self._actors: dict[tuple[int, int], tuple[str, bool]] = {}   # span -> actor_of
        self._modalities: dict[tuple[int, int], str] = {}             # span -> modality_of
        self._actor_words: dict[int, list[tuple[int, int, str]]] = {}   # sentence -> _actors_in of it
        self._inside: dict[tuple[int, int], bool] = {}                  # span -> inside_longer
        self._agent_story: bool | None = None     # whether a third party acting for the customer is named
        self._is_transcript: bool | None = None   # whether lines open with speakers' labels

    def _sentence_markers(self, k: int) -> dict[str, list]:
        found = self._by_sentence.get(k)
        if found is None:
            if self._marker_lexicon is None:
                found = {}
            else:
                lo = self._sent[k]
                hi = self._sent[k + 1] if k + 1 < len(self._sent) else len(self.text)
                found = self._marker_lexicon.find(self._folded[lo:hi], offset=lo)
                found = {cid: kept for cid, occ in found.items()
                         if (kept := [o for o in occ if not self._not_a_marker(cid, o)])}
                if self._self_persons and "actor_third_party" in found:
                    self._person_is_complainant(found)
            self._by_sentence[k] = found
        return found

    @staticmethod
    def _complainant_persons(text: str) -> list[tuple[int, int]]:
        """The spans of a generic person word ("一名男子", "该男子", "一位女士") that stands for the complainant:
        the note's subject, who comes to the firm, complains or demands of it ("一名男子要求柜员为其办理…被拒后大声
        辱骂"), with no complainant named before and none of a companion's or an agent's words about him
        (陪同, 代, 自称, 顾问 …); later mentions of the same man or woman are his or hers too. Empty otherwise."""
        if "男" not in text and "女" not in text:
            return []
        first = _GENERIC_PERSON.search(text)
        if first is None or _NAMED_SELF.search(text, 0, first.start()) or \
                _PERSON_AS_OBJECT.search(text, max(0, first.start() - 4), first.start()):
            return []
        k = first.end()
        stop = _SENTENCE_END.search(text, k)
        sentence = text[k:stop.start() if stop else len(text)]
        if _OTHERS_WORDS.search(sentence) or not _OWN_BUSINESS.match(sentence):
            return []
        kind = first.group(1)[0]      # 男 or 女
        return [(m.start(), m.end()) for m in _GENERIC_PERSON.finditer(text) if m.group(1)[0] == kind]

    def _person_is_complainant(self, found: dict) -> None:
        """Move the third-party actor words of one sentence's markers that name the complainant
        (a generic person word of :meth:`_complainant_persons`) to the complainant's words."""
        spans = self._self_persons
        mine = [o for o in found["actor_third_party"] if any(a <= o.start and o.end <= b for a, b in spans)]
        if mine:
            found["actor_third_party"] = [o for o in found["actor_third_party"] if o not in mine]
            found["actor_complainant"] = sorted(found.get("actor_complainant", []) + mine, key=lambda o: o.start)

    def _without_persons(self, occurrences: dict) -> dict:
        """``occurrences`` less the concept terms that lie inside a generic person word standing for the complainant."""
        spans = self._self_persons
        out = {}
        for cid, occ in occurrences.items():
            kept = [o for o in occ if not any(a <= o.start and o.end <= b for a, b in spans)]
            if kept:
                out[cid] = kept
        return out

    def _not_a_marker(self, cid: str, o) -> bool:
        """A marker word that is part of a longer word here: the 会 of a named body (金管会, 消委会, 证监会,
        开会), 没 in 没完 ("这事没完") or 没过几天 (a short while later), whose 过几天 is past too."""
        text = self.text
        word = text[o.start:o.end]
        if cid == "marker_future" and word == "会":
            return (o.start > 0 and text[o.start - 1] in _COUNCIL_BEFORE) or text.startswith(_COUNCIL_AFTER, o.end) \
                or _COUNCIL_NAME.search(text, max(0, o.start - 2), o.start) is not None
        if cid == "marker_negation" and word == "没":
            return bool(_MEI_NOT_NEGATION.match(text, o.start))
        if cid == "marker_future_time":
            return o.start > 0 and text[o.start - 1] == "没"
        return False

    # -- segmentation -----------------------------------------------------------------------------
    def sentence_index(self, pos: int) -> int:
        return bisect.bisect_right(self._sent, pos) - 1

    def sentence_start(self, k: int) -> int:
        """Where the k-th (0-based) sentence starts."""
        return self._sent[min(max(k, 0), len(self._sent) - 1)]

    def nearby(self, pos: int) -> tuple[int, int]:
        """The sentence of ``pos`` with the one before and the one after ("Customer alleges X. Checked
        the file: Y.")."""
        k = self.sentence_index(pos)
        return self._sent[max(0, k - 1)], (self._sent[k + 2] if k + 2 < len(self._sent) else len(self.text))

    def sentence(self, pos: int) -> tuple[int, int]:
        k = self.sentence_index(pos)
        return self._sent[k], (self._sent[k + 1] if k + 1 < len(self._sent) else len(self.text))

    def clause(self, pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(self._clause, pos) - 1
        return self._clause[k], (self._clause[k + 1] if k + 1 < len(self._clause) else len(self.text))

    def words_between(self, a: int, b: int) -> int:
        return len(_EN_WORD.findall(self.text, a, b)) if b > a else 0

    def starts(self, cid: str) -> list[int]:
        """The starts of ``self.occ[cid]``, in order (for bisect)."""
        starts = self._starts.get(cid)
        if starts is None:
            starts = self._starts[cid] = [o.start for o in self.occ[cid]]
        return starts

    def markers(self, cid: str, lo: int, hi: int) -> list:
        """Occurrences of ``cid`` (a marker or any concept) starting in [lo, hi), in order."""
        occ = self.occ.get(cid)
        if occ is not None:        # in text order: the ones in range are one slice
            starts = self._starts.get(cid)
            if starts is None:
                starts = self._starts[cid] = [o.start for o in occ]
            return occ[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)]
        if hi <= lo:
            return []
        first = bisect.bisect_right(self._sent, lo) - 1
        last = bisect.bisect_right(self._sent, hi - 1) - 1
        if first == last:          # the usual case: one sentence
            found = self._sentence_markers(first).get(cid)
            return [o for o in found if lo <= o.start < hi] if found else []
        out = []
        for k in range(first, last + 1):
            out.extend(o for o in self._sentence_markers(k).get(cid, ()) if lo <= o.start < hi)
        return out

    def _actors_in(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """The actor words (start, end, concept id) in [lo, hi), in order; a pronoun is never part of a
        longer name ("he" in a phrase such as "he would"), the others are dropped inside a longer term.
        Each sentence's list is made once (a narrative asks about the same sentences many times)."""
        if hi <= lo:
            return []
        first = bisect.bisect_right(self._sent, lo) - 1
        last = bisect.bisect_right(self._sent, hi - 1) - 1
        out = []
        for k in range(first, last + 1):
            words = self._actor_words.get(k)
            if words is None:
                s0 = self._sent[k]
                s1 = self._sent[k + 1] if k + 1 < len(self._sent) else len(self.text)
                words = []
                for cid in ACTOR_IDS:
                    words.extend((o.start, o.end, cid) for o in self.markers(cid, s0, s1)
                                 if cid == "actor_pronoun" or not self.inside_longer(o) or self._then_verb(o))
                words.sort()
                self._actor_words[k] = words
            out.extend(w for w in words if lo <= w[0] < hi and w[1] <= hi)
        out.sort()
        return out

    def _then_verb(self, o) -> bool:
        """Whether an auxiliary or a negation follows actor word ``o`` ("我要…", "我不…", "i will"): a
        longer term that takes them in ("我要" in a concept of demands) names no one else, so it does not
        hide the actor ("我司" does)."""
        at = o.end + (self.text.startswith(" ", o.end))
        markers = self._sentence_markers(self.sentence_index(o.start))
        word = self.text[o.start:o.end]
        if word in FIRST_PERSON and word.isascii():
            pass     # "i'll come down there and …" opening a longer term: the speaker still acts
        elif not any(p.start == at for cid in ("marker_future", "marker_negation", "marker_past", "marker_hope",
                                             "marker_fear") for p in markers.get(cid, ())) \
                and not (not self.text[o.start:o.end].isascii() and self.text.startswith(_ADVERB_AFTER_ZH, at)):
            return False     # "我就…", "我一定…" (an adverb of the speaker's act) name no one else either
        # only a term that starts with the actor word; one that ends with it names someone else
        # ("the customer's representative has …", "维权公司要…")
        own = word in FIRST_PERSON and word.isascii()
        if self._cover is not None:
            if any(p_start < o.start and not (own and _JOINING_WORDS.fullmatch(self.text, p_start, o.start))
                   for p_start, _p_end in self._covering(o)):
                return False
            groups = (markers,)
        else:
            groups = (self.occ, markers)
        return not any(p.start < o.start and p.end >= o.end
                       and not (own and _JOINING_WORDS.fullmatch(self.text, p.start, o.start))
                       for group in groups for cid, occ in group.items()
                       if group is not markers or cid in _HIDING for p in occ)

    def _covering(self, o):
        """The longer concept terms around ``o`` (:attr:`_cover`), less those inside a generic person word
        that stands for the complainant (dropped from :attr:`occ` too: see :meth:`_without_persons`)."""
        persons = self._self_persons
        for p_start, p_end in self._cover.spans(o.start, o.end):
            if not any(a <= p_start and p_end <= b for a, b in persons):
                yield p_start, p_end

    def inside_longer(self, o) -> bool:
        """Whether another concept's term covers ``o`` and more ("公司" inside "维权公司")."""
        key = (o.start, o.end)
        got = self._inside.get(key)
        if got is None:
            got = self._inside[key] = self._inside_longer(o)
        return got

    def _inside_longer(self, o) -> bool:
        size = o.end - o.start
        markers = self._sentence_markers(self.sentence_index(o.start))
        if self._cover is not None:
            for p_start, p_end in self._covering(o):
                if not (p_end == o.end and _DETERMINER.fullmatch(self.text, p_start, o.start)):
                    return True
            groups = (markers,)
        else:
            groups = (self.occ, markers)
        # function words ("我要", "i'll": marker_ lists) name no one: they hide no actor
        for group in groups:
            for cid, occ in group.items():
                if group is markers and cid not in _HIDING:
                    continue
                for p in occ:
                    if p.start > o.start:
                        break
                    if p.end >= o.end and p.end - p.start > size and not (
                            p.end == o.end and _DETERMINER.fullmatch(self.text, p.start, o.start)):
                        return True     # "the agent" names the agent: it does not hide "agent"
        return False

    # -- reading a span ---------------------------------------------------------------------------
    def classify(self, start: int, end: int) -> Classified:
        actor, against = self.actor_of(start, end)
        return Classified(self.sentence_index(start) + 1, actor, self.modality_of(start, end), against)

    def actor_of(self, start: int, end: int) -> tuple[str, bool]:
        """:meth:`actor` of the span in its sentence, worked out once per span (several signals and
        readings often ask about the same span)."""
        key = (start, end)
        got = self._actors.get(key)
        if got is None:
            s0, s1 = self.sentence(start)
            got = self._actors[key] = self.actor(start, end, s0, s1)
        return got

    def modality_of(self, start: int, end: int) -> str:
        """:meth:`modality` of the span in its sentence, worked out once per span."""
        key = (start, end)
        got = self._modalities.get(key)
        if got is None:
            s0, s1 = self.sentence(start)
            got = self._modalities[key] = self.modality(start, end, s0, s1)
        return got

    def _reaches(self, marker, start: int, english: bool, limit_zh: int = NEG_REACH_ZH,
                 limit_en: int = NEG_REACH_EN) -> bool:
        """Whether the scope of ``marker`` (a negation, hope or fear) reaches ``start``."""
        text = self.text
        if text[marker.start:marker.end] in _RHETORICAL and self._asks_back(start):
            return False                   # "这不是欺诈吗？", "isn't this a scam?": said, not denied
        if marker.end > start:
            if any(ch in _OWN_NEGATION for ch in text[start:marker.end]):
                return False               # "也不" over the 不 of "不想活了": the span's own negation
            return marker.start < start    # "不会" over the "会" a span starts with
        gap = text[marker.end:start]
        if self._quote_closes(marker.start, gap):
            return False     # 以"标签未标注致敏原"获赔800元: a negation inside quoted words ends with the quote
        if (_KNOWING_EN if english else _KNOWING_ZH).match(gap) and not _BELIEF.search(gap):
            return False     # "I do not understand why the bank blocked my card": the knowing is denied
                             # (not "I don't know why your team thinks it was edited": a belief, not a fact)
        if any(ch in gap for ch in "，,：:。！？!?；;\n"):
            if not english or any(ch in gap for ch in "。！？!?；;\n") or re.search(r"\.(\s|$)", gap):
                return False
            if self.markers("marker_conditional", self.clause(marker.start)[0], marker.start):
                return False     # "If they do not refund me, my next stop is the press": the condition ends at its comma
        if english:
            sub = _NEW_SUBJECT_EN.search(text, marker.end, start) or _NEW_SUBJECT_EN.match(text, start)
            if sub and not _SAY_THINK_EN.search(text, marker.end, sub.start()):
                return False     # "if we don't fix this he'll go to the papers": a new subject, contracted
                                 # (not "she hasn't said she'll go to the FCA": the saying is denied)
            if _STOPPED.search(text, marker.end, start):
                return False     # "I haven't stopped crying", "can't stop shaking": the stopping is denied
            words = self.words_between(marker.end, start)
            if words > SHORT_NEGATION.get(text[marker.start:marker.end], limit_en):
                return False
        elif len(gap) > limit_zh:
            return False
        elif (text[marker.start:marker.end] in _NP_NEGATION and marker.end < start
              and _NEW_SUBJECT_ZH.search(text, marker.end + 1, start)):
            return False     # "没有备案号我早就查过了": the negation denied the 备案号, a new subject goes on
        return not self.markers("marker_scope_break", marker.end, start)

    def _quote_closes(self, pos: int, gap: str) -> bool:
        """Whether quoted words that hold ``pos`` close within ``gap`` (the text after it): a closing mark
        (”」』), a straight double quote when an odd number of them opened before ``pos`` in its sentence, or
        a single quote followed by a comma or stop ("all saying 'the risks were never explained to me', all
        asking for …")."""
        if sum(map(gap.count, _CLOSE_Q)) > sum(map(gap.count, _OPEN_Q)):
            return True          # more closed than opened after ``pos``: the words that hold it end there
        if '"' in gap and self.text.count('"', self.sentence(pos)[0], pos) % 2 == 1:
            return True
        return bool(_SINGLE_QUOTE_CLOSES.search(gap)) and "'" in self.text[self.sentence(pos)[0]:pos]

    def _asks_back(self, pos: int) -> bool:
        """Whether the sentence of ``pos`` asks back from ``pos`` on (…吗？, …是什么？, …?): a rhetorical
        question, in which 不是/isn't affirms."""
        _s0, s1 = self.sentence(pos)
        tail = self.text[pos:s1]
        return "?" in tail or "吗" in tail or "是什么" in tail

    def negated_at(self, pos: int, own: tuple = ()) -> bool:
        """Whether a negation reaches ``pos`` (for the later concepts of a reading); negation words
        inside the reading's own terms (``own`` spans: "不要", "not to") do not count."""
        s0, s1 = self.sentence(pos)
        english = self._english_at(pos)
        if not english and self._neg_char_before(pos) and not any(a < pos <= b for a, b in own):
            return not (self.text[pos - 1] == "不" and self._offer_after(pos, s1))
        return any(self._reaches(m, pos, english) and not (self._will_not(m) and self._offer_after(pos, s1))
                   and not self._price_before(s0, m)
                   for m in self.markers("marker_negation", s0, pos)
                   if not any(m.start < b and a < m.end for a, b in own))

    def _english_at(self, pos: int) -> bool:
        """Whether the words at ``pos`` are English: a Latin letter; a number or a sign in Chinese words ("向12315投诉",
        "扣了3000元") is Chinese, read by the words before it."""
        text = self.text
        if pos >= len(text) or not text[pos].isascii():
            return False
        if text[pos].isalpha():
            return True
        for k in range(pos - 1, max(-1, pos - 12), -1):
            ch = text[k]
            if not ch.isascii():
                return False
            if ch.isalpha():
                return True
        return True

    def _neg_char_before(self, pos: int) -> bool:
        """不/别 right before ``pos`` ("不起诉", "别曝光"); 别 ending a word (分别, 特别, 区别) is no negation."""
        if pos <= 0:
            return False
        ch = self.text[pos - 1]
        return ch == "不" or (ch == "别" and (pos < 2 or self.text[pos - 2] not in _BIE_WORDS))

    def modality(self, start: int, end: int, s0: int, s1: int) -> str:
        english = self._english_at(start)
        if not english and self._neg_char_before(start):
            # 不起诉, 别曝光; "我不发网上，只要你们赔" offers silence for a price, as does "转我三千，我就不曝光"
            return "conditional" if self.text[start - 1] == "不" and (
                self._offer_after(end, s1) or self._price_before(s0, _Span(start - 1, start))) else "negated"
        c0, c1 = self.clause(start)
        if self._denied_thought(start, end, c0, english) or self._withdrawn(end, s1, english) or self._jest(end, s1):
            return "negated"
        for kind, cid in (("negated", "marker_negation"), ("hoped", "marker_hope"), ("feared", "marker_fear")):
            for m in reversed(self.markers(cid, s0, start)):
                if self._reaches(m, start, english, 20 if kind != "negated" else NEG_REACH_ZH,
                                 14 if kind != "negated" else NEG_REACH_EN):
                    if kind == "negated" and (self._will_not(m) and self._offer_after(end, s1)
                                              or self._price_before(s0, m)):
                        return "conditional"
                    return kind
        # a condition before the span reaches it unless an act that followed starts a clause between them; one
        # after it only from its own clause or the next ("I will sue unless…", "我会起诉，如果…"), not from a later
        # clause about something else ("他们天天打电话到厂里，说我欠钱，又说要是不给钱就上门": the calls happened)
        after = max((o.start for o in self.markers("marker_sequence", s0, start)), default=s0)
        k = bisect.bisect_right(self._clause, c1)
        reach = self._clause[k] if k < len(self._clause) and self._clause[k] < s1 else s1
        if self.markers("marker_conditional", after, min(reach, s1)) or self._bu_jiu(after, start) \
                or _DE_HUA.search(self.text, after, start):
            return "conditional"
        head = self.text[c0:end]
        if _WOULD_SHORT.search(head):     # "he'd go to the papers": would, a condition
            return "conditional"
        if self.markers("marker_future", c0, end) or _WILL_SHORT.search(head) or _PLAN_PRESENT.search(head):
            return "future"     # before the span or in it ("会找媒体", "I'll post", "I'm contacting my MP")
        if self.markers("marker_future_time", c0, c1) and not self.markers("marker_past", c0, end):
            return "future"     # a time ahead in the clause: "I'm posting this on TikTok tonight", "我下礼拜去起诉"
        if not english and _PROSPECTIVE_ZH.search(self.text, c0, end) and not self.markers("marker_past", c0, end):
            return "future"     # "回去就发朋友圈", "到时候就去起诉": what one will do once back, when the time comes
        if self.markers("marker_past", c0, end):
            return "past"
        if _DARE.search(self.text, s0, start):
            return "future"     # "你信不信我发到朋友圈", "watch me post it": a dare, what one will do
        if c0 > s0 and _GOES_ON_ZH.match(self.text, c0):
            # "我明天就举报到市场监管局，顺便发到小红书上": a clause that goes on keeps the plan of the one before
            before = self.modality_of(self.clause(c0 - 1)[0], c0 - 1)
            if before in ("future", "conditional"):
                return before
        return "asserted"

    def _denied_thought(self, start: int, end: int, c0: int, english: bool) -> bool:
        """"Denied any plan to harm himself", "否认有轻生念头": 否认 / denied before the span in its clause,
        with a thought, plan or intent said between or just after (or the span a self-harm word itself), so that
        "the bank denied the unauthorized charges" stays asserted."""
        text = self.text
        if english:
            m = None
            for m in _DENIED.finditer(text, c0, start):
                pass
            if m is None or self.words_between(m.end(), start) > 8:
                return False
            gap = text[m.end():start]
            if re.search(r"\b(?:but|however|yet|although|though|because|so|and (?:i|we)|i'm|i am|i will|i'll)\b", gap):
                return False
            return bool(_THOUGHT_EN.search(gap) or _THOUGHT_EN.match(text, start) or _THOUGHT_EN.match(text, end + 1)
                        or re.match(r"\s*(?:any\s+|having\s+)?$", gap) and re.match(r"suicid|self.harm", text[start:end]))
        j = text.rfind("否认", c0, start)
        if j < 0 or start - (j + 2) > 10:
            return False
        gap = text[j + 2:start]
        after = text[end:end + 4]
        return (any(w in gap or after.startswith(w) or w in after for w in _THOUGHT_ZH)
                or bool(_SELF_HARM_ZH.match(text, start)))

    def _withdrawn(self, end: int, s1: int, english: bool) -> bool:
        """An intent taken back later in its sentence ("本来想找电视台的，后来想想算了", "起诉就算了，太麻烦",
        "I was going to call the papers but changed my mind"): it no longer stands. Not "不会就这么算了" (it
        will not be let go)."""
        return bool((_WITHDRAWN_EN if english else _WITHDRAWN_ZH).search(self.text, end, s1))

    def _jest(self, end: int, s1: int) -> bool:
        """Laughter or a laughing emoji just after what is said ("想死的心都有了，哈哈", "我真想死😂", "I could
        kill myself lol"): in the rest of its clause or the clause after, or opening the next sentence."""
        text = self.text
        k = bisect.bisect_right(self._clause, end)
        stop = self._clause[k + 1] if k + 1 < len(self._clause) else len(text)
        if stop <= s1 or s1 == len(text):
            return bool(_JEST.search(text, end, min(stop, s1)))
        return bool(_JEST.search(text, end, s1)) or bool(_JEST.match(text, s1)) or \
            bool(_JEST_AHEAD.match(text[s1:s1 + 16]))

    def _price_before(self, s0: int, m) -> bool:
        """A price demanded before a will-not in its sentence: "Pay $750 by Friday and I won't post the photos",
        "转我三千，我就撤销投诉，也不去找记者" — silence offered for payment, a threat conditioned on it. Not a
        negation of what was done ("I paid and I did not post")."""
        text = self.text
        word = text[m.start:m.end]
        head = text[s0:m.start]
        if word.isascii():
            if not (self._will_not(m) or word in ("not", "never")):
                return False
            return bool(_PRICE_BEFORE_EN.search(head))
        if word not in ("不", "不会", "也不", "就不", "绝不", "决不", "不再", "也没"):
            return False
        return bool(_PRICE_BEFORE_ZH.search(head + word[:1] if word[0] in "也就" else head))

    def _will_not(self, m) -> bool:
        """Whether negation ``m`` denies what one will do ("不会", "won't", "will not", "will never"), not
        what was done or would have been ("wouldn't have")."""
        word = self.text[m.start:m.end]
        if word in ("not", "never"):
            return bool(_WILL_BEFORE_NOT.search(self.text[max(0, m.start - 12):m.start].rstrip()))
        return word in _WILL_NOT and not self.text.startswith(" have", m.end)

    def _offer_after(self, end: int, s1: int) -> bool:
        """Whether a condition on the other side follows the act in its sentence ("…，只要你们赔我五万",
        "… if you pay me back"): not 只要求 (only asks)."""
        return any(not self.text.startswith("求", o.end) for o in self.markers("marker_offer_condition", end, s1)) \
            and not _ALL_I_ASK.search(self.text, end, s1)

    def _bu_jiu(self, s0: int, start: int) -> bool:
        """不…就: "不退钱我就去找媒体" — a refusal, then what follows from it; 再…就: "你们再打一次电话，我就
        从楼顶下去" — once more, then what follows (not 再三, 就是)."""
        head = self.text[s0:start]
        j = head.rfind("就")
        if j <= 0:
            return False
        if _ZAI_JIU.search(head, 0, j + 1) is not None:
            return True
        before = _BU_WORD.sub(lambda m: "＿" * len(m.group()), head[:j])   # 不满, 不知道, 对不起: no refusal
        k = before.rfind("不")
        if k < 0:
            return False
        # "还没到期就扣款", "没等我签字就转走了", "还不到一个月就…": the 就 tells what happened before, a past sequence
        return _NOT_YET.search(before, max(0, k - 1)) is None

    def actor(self, start: int, end: int, s0: int, s1: int) -> tuple[str, bool]:
        """(who acts, whether it is done to the complainant). Inside the quoted words of the other side
        ("客户转述对方原话：'…我们律师直接去法院告你'", 'the collector said "we will sue you"') the first person is
        that speaker and 你/you the complainant it speaks to."""
        got, was_against = self._actor_plain(start, end, s0, s1)
        quoted = self._quote_speaker(start)
        if quoted is None:
            quoted = self._line_speaker(start)
        if quoted is None and ("：" in self.text or ":" in self.text):
            quoted = self._colon_speaker(start)
        if quoted is None:
            return got, was_against
        q_open, speaker = quoted
        text = self.text
        against = was_against or bool(_YOU_AFTER.match(text, end))
        lo = max(q_open + 1, self.clause(start)[0])
        words = [w for w in self._actors_in(lo, start) if text[w[0]:w[1]] not in ("me", "us")]
        if not words or text[words[-1][0]:words[-1][1]] in FIRST_PERSON:
            return speaker, against      # the speaker's own act, or done to the listener
        return got, against

    def _quote_speaker(self, pos: int) -> tuple[int, str] | None:
        """(where the quote opens, "firm" or "third_party") when ``pos`` lies inside words quoted from the
        other side: the last person named before the opening quote in its sentence, not as an object ("催收员
        对我说：'…'": the collector), is a firm or a third party. None otherwise (the complainant's own words)."""
        text = self.text
        if '"' not in text and not any(q in text for q in _OPEN_Q):
            return None
        lo = max(0, pos - 300)
        o = max(text.rfind(q, lo, pos) for q in _OPEN_Q)
        if o < 0 or o < max(text.rfind(q, lo, pos) for q in _CLOSE_Q):
            k = max(lo, text.rfind("\n", 0, pos) + 1)
            if text.count('"', k, pos) % 2 == 0:
                return None
            o = text.rfind('"', k, pos)
        s0 = self.sentence(o)[0] if o > 0 else 0
        side = self._speaker_before(s0, o)
        return None if side is None else (o, side)

    def _colon_speaker(self, pos: int) -> tuple[int, str] | None:
        """(where the colon stands, "firm" or "third_party") when ``pos`` follows, in its sentence, the colon of
        the other side's words given without quote marks ("我打过去问，那边的人说：我们会起诉你", "客服讲：…")."""
        text = self.text
        s0, _s1 = self.sentence(pos)
        c = max(text.rfind("：", s0, pos), text.rfind(":", s0, pos))
        if c <= s0 or text[c - 1].isdigit():
            return None      # no colon, or a time ("14:03")
        side = self._speaker_before(s0, c + 1)
        return None if side is None else (c, side)

    def _speaker_before(self, s0: int, o: int) -> str | None:
        """"firm" or "third_party" when the words opening at ``o`` are said by the other side: the last person
        named before ``o`` from ``s0`` on, not as an object, with a verb of saying just before ``o``; or a person
        the writer names only by where they are ("那边的人说：", "对方的人讲", "the people there said", "the
        guy on the phone told me"), who is the other side (as 对方, they). None otherwise."""
        text = self.text
        # every actor word before the quote, a longer one first where two end together ("那家公司的人原话：")
        named = sorted(((m.start, m.end, cid) for cid in ACTOR_IDS for m in self.markers(cid, s0, o)),
                       key=lambda w: (w[1], w[1] - w[0]))
        vague = None
        for vague in _VAGUE_SPEAKER.finditer(text, s0, o):
            pass
        if vague is not None and _SAYS_THEN_QUOTE.match(text[vague.end():o]) \
                and not any(a >= vague.end() for a, _b, _c in named):
            cid = self._resolved("actor_pronoun", vague.start(), "对方" if not text[vague.start()].isascii() else "they")
            return None if cid == "actor_complainant" else "firm" if cid == "actor_firm" else "third_party"
        for a, b, cid in reversed(named):
            if any(a2 < a and b2 == b for a2, b2, _c in named):
                continue     # "公司" at the end of a longer name: the longer one speaks
            word = text[a:b]
            if word in ("me", "us") or _OBJECT_BEFORE.search(text, max(s0, a - 16), a) \
                    or _PLACE_BEFORE.search(text[max(0, a - 8):a]) or _WITH_BEFORE.search(text, max(s0, a - 6), a):
                continue     # "对我说", "told me": the one spoken to; "在网点", "跟银行": a place or a partner
            if not _SAYS_THEN_QUOTE.match(text[b:o]):
                return None      # not the one who says the quote ("买家私信客服：", "如果银行继续催还，'…'")
            cid = self._resolved(cid, a, word)
            if cid == "actor_complainant":
                return None
            return "firm" if cid == "actor_firm" else "third_party"
        return None

    def _line_speaker(self, pos: int) -> tuple[int, str] | None:
        """(where the label's colon stands, "firm" or "third_party") when ``pos`` lies in a line of a
        transcript labelled with the other side ("Them: we'll sue you", "14:03 对方：我们会去法院告你",
        "催收员说：…"): the first person of that line is the labelled speaker, 你/you the complainant. None
        for the complainant's own line ("Me: …", "客户：…") or a line with no speaker label."""
        text = self.text
        ls = text.rfind("\n", 0, pos) + 1
        label = _SPEAKER_LABEL.match(text, ls, pos)
        if label is None or not (label.group(2) or self._transcript()):
            return None      # "X: …" in one line is a note's heading unless X says it ("客服说：…")
        a, b = label.span(1)
        word = text[a:b]
        if word in _OTHER_SIDE_WORDS:
            cid = self._resolved("actor_pronoun", a, "对方" if not word.isascii() else "they")
        else:
            named = sorted((m.start, m.end, cid) for cid in ACTOR_IDS for m in self.markers(cid, a, b))
            if not named:
                return None
            n_a, n_b, cid = max(named, key=lambda w: (-w[0], w[1]))   # the word the label starts with
            rest = text[n_b:b]
            if text[a:n_a].strip() not in ("", "the", "a", "an", "our", "your") or \
                    len(rest) > 3 or (not rest.isascii() and len(rest) > 2):
                return None  # the speaker is the label itself, a name after it at most ("催收小王", "agent 7")
            cid = self._resolved(cid, n_a, text[n_a:n_b])
        if cid == "actor_complainant":
            return None
        return label.end() - 1, ("firm" if cid == "actor_firm" else "third_party")

    def _transcript(self) -> bool:
        """Whether two or more lines of the text open with a speaker's label (a chat or call transcript)."""
        if self._is_transcript is None:
            text = self.text
            starts = [0] + [m.end() for m in re.finditer("\n", text)]
            self._is_transcript = sum(1 for ls in starts if _SPEAKER_LABEL.match(text, ls)) >= 2
        return self._is_transcript

    def _actor_plain(self, start: int, end: int, s0: int, s1: int) -> tuple[str, bool]:
        """(who acts, whether it is done to the complainant), quotes aside."""
        text = self.text
        # Done to the complainant: an object right after the span ("起诉我", "起诉他", "sue me").
        after = text[end:min(s1, end + 12)]
        against = bool(_OBJECT_AFTER.match(after))
        verbs_end = [o.end for o in self.markers("marker_object_verb", s0, end)]

        def is_object(c_start: int) -> bool:
            # right after a verb that takes an object ("威胁我", "找到那个业务员"), or after an English one with
            # only an article or a possessive between ("called the agent a useless idiot")
            return any(0 <= c_start - v and not any(ch in text[v:c_start] for ch in "，,。；;")
                       and "的话" not in text[v:c_start]     # "不给的话我就…": the condition ends, 我 is a subject
                       and (c_start - v <= 4 or _ARTICLE_GAP.fullmatch(text, v, c_start) is not None)
                       for v in verbs_end)

        markers_in = self._actors_in

        c0, _c1 = self.clause(start)
        ultimatum = _ULTIMATUM.match(text, c0) is not None
        subject = None
        objects_seen = False
        # An earlier clause's condition names who must act, not who acts after it ("If they do not refund
        # me, my next stop is the press"; "如果银行不退钱，就去法院起诉"): the sentence's subject is not
        # looked for there.
        conditions = None     # found when the sentence's first subject is looked for (step 3)
        # 1. the nearest subject before the span in its clause; 2. inside the span ("中介让客户…");
        # 3. the first subject of the sentence (the speaker of "客户称…，扬言要…").
        for n, group in enumerate((reversed(markers_in(max(s0, c0), start)), markers_in(start, end), markers_in(s0, start))):
            for c_start, c_end, cid in group:
                if n == 2:
                    if conditions is None:
                        conditions = [(o.start, self.clause(o.start)[1])
                                      for o in self.markers("marker_conditional", s0, c0)] if c0 > s0 else []
                    if conditions and any(a <= c_start < b for a, b in conditions):
                        continue
                word = text[c_start:c_end]
                if cid == "actor_firm" and _PLACE_BEFORE.search(text[max(0, c_start - 8):c_start]):
                    continue     # "arrived at the branch", "来到网点": a place, not who acts
                if n != 1 and self._in_ba_object(c_start):
                    continue     # "把你们业务员怎么忽悠我的录个视频": in the object of 把
                if text.startswith("的", c_end) and c_start > max(s0, c0):
                    continue     # "和客服的聊天记录": an attribute of a noun, not who acts
                if cid in ("actor_firm", "actor_third_party") and _WITH_BEFORE.search(text, max(s0, c_start - 6), c_start):
                    continue     # "跟你们银行同归于尽": the partner of the act, not who acts
                if (is_object(c_start) and (n == 2 and ultimatum or not text.startswith(_ADVERB_AFTER_ZH, c_end))) \
                        or word in ("me", "us"):
                    # "不给解决我就进京": a 我 with an adverb of its own act after it is a subject again
                    if cid == "actor_complainant":
                        objects_seen = True
                    continue
                if cid != "actor_complainant" and text.startswith("、", c_end) and \
                        _FRONTED_LIST_SUBJECT.match(text, c_end, self.clause(start)[1]):
                    continue     # "银行、监管、法院我都找遍了": a list put first, the 我 after it acts on it
                subject = (c_start, c_end, cid)
                if n == 2:
                    subject = self._topic(subject, start, c0, conditions)
                break
            if subject is not None:
                break
        if subject is None:
            return ("firm" if against or objects_seen else "complainant"), (against or objects_seen)
        c_start, c_end, cid = subject
        cid = self._resolved(cid, c_start, text[c_start:c_end])
        if not against and cid != "actor_complainant":
            # "they threatened me with", "威胁我说要起诉": the complainant is the object in between
            against = any(o.start >= c_end and (text[o.start:o.end] in ("me", "us") or is_object(o.start))
                          for o in self.markers("actor_complainant_object", c_end, start))
        if cid == "actor_complainant":
            if against or objects_seen and c_start < start and self._object_between(c_end, start):
                other = [m for m in markers_in(s0, start) if m[2] in ("actor_firm", "actor_third_party")]
                return ("third_party" if other and other[-1][2] == "actor_third_party" else "firm"), True
            said = text[c_end:start if c_start < start else end]    # up to the hit, or into it ("i received notice of a lawsuit")
            if ("rec" in said or "got" in said or "get" in said or "收到" in said) and _MESSAGE_SAYS.search(said):
                return "firm", False     # "I received a letter stating … will be referred to an attorney"
            return "complainant", False
        return ("firm" if cid == "actor_firm" else "third_party"), against

    def _resolved(self, cid: str, at: int, word: str) -> str:
        """The actor concept a named word at ``at`` stands for: a pronoun its antecedent's, "agent" the
        firm's or the customer's third party (see :meth:`_agent_side`), any other word its own."""
        if cid == "actor_pronoun":
            return self._antecedent(at, word)
        if cid == "actor_firm" and word == "agent":
            return self._agent_side(at)
        return cid

    def _in_ba_object(self, pos: int) -> bool:
        """Whether ``pos`` lies in the object of a 把 before it in its clause (the verb still ahead of it)."""
        return _BA.search(self.text, self.clause(pos)[0], pos) is not None

    def _topic(self, first: tuple[int, int, str], start: int, c0: int, conditions) -> tuple[int, int, str]:
        """The subject a subjectless clause carries on: a clause that goes on (还/又/也/and …) after
        another clause's subject is that subject's ("我买了个手机，对方一直不发货，还说要起诉": the
        seller threatens), unless the sentence's first subject speaks ("客户称银行不退款，还扬言要起诉":
        the customer). Otherwise the first subject of the sentence ("客户来到网点，经理接待，扬言要起诉")."""
        text = self.text
        if not _GOES_ON.match(text, c0) or _SPEECH_AFTER.match(text, first[1]):
            return first
        best = first
        for c_start, c_end, cid in self._actors_in(first[1], c0):
            k0 = self.clause(c_start)[0]
            if text[k0:c_start].strip() or any(a <= c_start < b for a, b in conditions):
                continue     # not the clause's opening word (an object, a place), or a condition's subject
            if cid == "actor_firm" and _PLACE_BEFORE.search(text[max(0, c_start - 8):c_start]):
                continue
            best = (c_start, c_end, cid)
        return best

    def _agent_side(self, pos: int) -> str:
        """Whose the "agent" at ``pos`` is: the firm's when said so ("our agent", "the insurance agent",
        "a customer service agent"); otherwise the customer's third party when the narrative tells of one
        (a claims company, someone acting for the customer), else the firm's (an insurer's agent)."""
        if _FIRM_AGENT.search(self.text, max(0, pos - 20), pos):
            return "actor_firm"
        if self._agent_story is None:
            occ = self.occ
            self._agent_story = bool(occ.get("agent_role") or occ.get("acting_for")) or any(
                not self.inside_longer(o) for k in range(len(self._sent))
                for o in self._sentence_markers(k).get("actor_third_party", ()))
        return "actor_third_party" if self._agent_story else "actor_firm"

    def _other_side(self) -> str:
        """Whom an unnamed 对方 stands for, from the whole text: the complainant when the firm writes (我司,
        我行: a handler's note about the other side of the call), a third party when one is named anywhere
        (an agent's story: "客户说对方带他去营业厅…维权公司"), else the firm — the other side of a complaint is
        the party complained of (a shop's buyer's 对方 is the shop), never the complainant's own agent."""
        text = self.text
        if any(w in text for w in FIRM_SELF):
            return "actor_complainant"
        if any(not self.inside_longer(o) for k in range(len(self._sent))
               for o in self._sentence_markers(k).get("actor_third_party", ())):
            return "actor_third_party"
        return "actor_firm"

    def _object_between(self, lo: int, hi: int) -> bool:
        return any(self.text[o.start:o.end] in ("me", "us") for o in self.markers("actor_complainant_object", lo, hi))

    def _english_object(self, start: int, end: int) -> bool:
        return self.text[start:end] in ("me", "us")

    def _teller(self, pos: int, word: str) -> int | None:
        """Where the teller's "he"/"she" stands when the pronoun at ``pos`` follows a verb of telling and
        its object ("He told the agent he …": both are the same person); None otherwise."""
        if word not in ("he", "she"):
            return None
        told = _TOLD_BEFORE.search(self.text, max(0, pos - 60), pos)
        return told.start(1) if told is not None and told.group(1) == word else None

    def _antecedent(self, pos: int, word: str) -> str:
        """Who a pronoun stands for: the last firm or third party named before it ("they" the bank);
        "he"/"she"/"他们" may also be the complainant's side named in the third person ("the customer
        said he"). With nobody named: the firm, except 他们 (the visitors, in a handler's note) and "he"/"she"
        in a note with no first person before it (a handler's note about the customer: "He called the
        agent an idiot"); in the complainant's own words an unnamed "he" is someone else. A contraction
        ("they're", "she'll") stands for what its pronoun does."""
        word = _CONTRACTION.split(word, 1)[0]
        teller = self._teller(pos, word)
        if teller is not None:
            return self._antecedent(teller, word)     # "he told the agent he …": the teller's antecedent
        person = word in ("he", "she")
        kinds = ("actor_firm", "actor_third_party") if word in ("they", "them", "their", "对方") else \
            ("actor_firm", "actor_third_party", "actor_complainant")
        third_person_note = person and not any(self.text[o.start:o.end] in FIRST_PERSON
                                               for o in self.markers("actor_complainant", 0, pos))
        best = (-1, "actor_complainant" if word == "他们" or third_person_note else
                self._other_side() if word == "对方" else "actor_firm")
        last = self.sentence_index(pos - 1) if pos > 0 else -1
        for cid in kinds:
            # the last one before ``pos``, read sentence by sentence backwards (the nearest usually is
            # in the same sentence), and no further back than the best one found for another kind
            for k in range(last, -1, -1):
                s1 = min(pos, self._sent[k + 1]) if k + 1 < len(self._sent) else pos
                if s1 <= best[0] + 1:
                    break        # every word here starts at or before the best one
                named_here = None
                for o in reversed(self.markers(cid, self._sent[k], s1)):
                    named = self.text[o.start:o.end]
                    if (cid == "actor_complainant" and named in FIRST_PERSON) or (person and named in NOT_A_PERSON):
                        continue
                    if cid == "actor_firm" and self.inside_longer(o):
                        continue     # "公司" inside "退保公司": the agent firm is named, not the firm
                    named_here = o
                    break
                if named_here is not None:
                    if named_here.start > best[0]:
                        best = (named_here.start, cid)
                    break
        if best[1] == "actor_firm" and self.text.startswith("agent", best[0]):
            return self._agent_side(best[0])
        return best[1]
