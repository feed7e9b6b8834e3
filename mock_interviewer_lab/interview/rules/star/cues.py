"""The scorer's word lists, in one place: STAR cues, hedges, hypotheticals,
fillers, scope signals per level, cue words per competency, specific terms.

Patterns are regular-expression fragments matched on the lower-cased text
at a word start (``\\b``); a fragment without a closing ``\\b`` matches a
prefix ("communicat" matches "communicated" and "communication").
"""

from __future__ import annotations

from mock_interviewer_lab.competencies import Competency, Level

# ------------------------------------------------------------------ STAR

#: Context: when, where, what was going on.
SITUATION_CUES: tuple[str, ...] = (
    r"at my (?:last|previous|current|old|first) (?:job|company|role|team|employer)\b",
    r"when i (?:was|joined|started|worked)\b", r"(?:last|this|that|next) (?:year|quarter|month|summer|spring|autumn|fall|winter)\b",
    r"(?:a|two|three|few|couple of) (?:years?|months?|weeks?) ago\b", r"back (?:in|when)\b",
    r"at the time\b", r"in (?:19|20)\d\d\b", r"i was (?:working|a|an|the|on|at|leading|in charge of)\b",
    r"we had\b", r"there was\b", r"there were\b", r"we were\b", r"our (?:team|product|service|system|app|company|customers?|users?|platform|site|client)\b",
    r"the (?:situation|context|background|problem|issue|challenge) was\b", r"the company\b",
    r"a (?:customer|client|colleague|teammate|manager|new hire)\b", r"during\b", r"one time\b",
    r"i joined\b", r"i worked (?:at|for|on|as)\b", r"it was (?:a|an|the|my)\b", r"we (?:were|had) (?:a|an|to)\b",
)

#: What the candidate had to achieve or own.
TASK_CUES: tuple[str, ...] = (
    r"i (?:needed|had|wanted|was asked|was told|was supposed|got asked) to\b", r"my (?:job|role|task|goal|responsibility|mandate|mission) (?:was|is)\b",
    r"i was (?:responsible|accountable|in charge|tasked|asked|assigned|expected)\b",
    r"it was (?:on me|my job|my call|my responsibility)\b", r"i owned\b",
    r"the (?:goal|task|ask|aim|objective|target|deadline) was\b", r"(?:we|the team) (?:needed|had) to\b",
    r"our (?:goal|task|target|deadline) was\b", r"i volunteered to\b", r"i took (?:on|ownership)\b",
    r"my manager asked me\b", r"i was given\b",
)

#: Past-tense action verbs that do not end in -ed (and a few that do not act).
IRREGULAR_ACTIONS: frozenset[str] = frozenset((
    "set", "wrote", "built", "ran", "led", "met", "spoke", "took", "made", "went", "sat",
    "brought", "drove", "chose", "broke", "found", "gave", "got", "put", "sent", "told",
    "began", "kept", "cut", "rewrote", "rebuilt", "redid", "did", "fought", "sought",
    "taught", "thought", "split", "shut", "held", "laid", "paid", "sold", "won", "stood",
    "undertook", "oversaw", "drew", "hid", "left", "let", "shipped", "spun", "threw",
    "understood", "withdrew", "overcame", "came", "read", "heard", "saw", "flew", "shot",
    "spent", "lent", "bent", "upheld", "forgave", "swapped", "dug", "stuck",
))

#: -ed words after "I"/"we" that are not actions (states, wishes, tasks, reflection).
NOT_ACTIONS: frozenset[str] = frozenset((
    "needed", "wanted", "liked", "loved", "hoped", "used", "learned", "learnt", "realized",
    "realised", "felt", "was", "were", "had", "wished", "seemed", "supposed", "tended",
    "hated", "preferred", "expected", "assumed", "guessed", "believed", "worried", "feared",
    "called", "named", "thought", "understood",
))

#: Adverbs that may stand between "I" and the verb.
ACTION_ADVERBS = (r"(?:also|then|just|first|finally|quickly|personally|eventually|immediately|actually|"
                  r"really|myself|initially|later|basically|still|even|ultimately|directly|"
                  r"proactively|carefully|always|never|instead|together|all|both|simply|")

#: The outcome.
RESULT_CUES: tuple[str, ...] = (
    r"as a result\b", r"ended up\b", r"in the end\b", r"the (?:result|outcome|impact|effect) (?:was|is)\b",
    r"result(?:ed|ing)? in\b", r"which (?:meant|led|cut|saved|reduced|brought|got|let|allowed)\b",
    r"that (?:meant|led to|cut|saved|reduced|brought|got us)\b", r"led to\b",
    r"(?:reduced|increased|improved|decreased|cut|saved|grew|boosted|lowered|raised|doubled|tripled|halved|dropped|shrank|shrunk|fell|rose|jumped|climbed|sped up|shortened|eliminated)\b.{0,60}?(?:\d|percent|per cent|%|half|twice|times|from|to|by)",
    r"(?:reduction|increase|improvement|decrease|drop|savings?|speed-?up) (?:of|in)\b",
    r"after (?:\w+ )?(?:days|weeks|months|years|quarters|sprints)\b",
    r"went (?:from|down|up)\b", r"came down\b", r"(?:went|go) live\b", r"we (?:shipped|launched|delivered|released|closed|won)\b",
    r"(?:met|hit|beat|made) (?:the|our|every|that) (?:deadline|target|goal|date|sla)\b",
    r"i (?:shipped|launched|delivered|released|hit|met the|closed|won)\b",
    r"on time\b", r"ahead of (?:schedule|time)\b", r"(?:by|at) the end\b", r"afterwards\b", r"since then\b",
    r"(?:never|no longer|didn't) (?:happened|came back|recurred|broke)\b", r"was adopted\b",
    r"(?:customers?|users?|the team|my manager|the client|they) (?:were|was) (?:happy|pleased|satisfied)\b",
    r"(?:got|received) (?:promoted|positive|great|good)\b", r"became the\b", r"is still (?:used|running|in)\b",
    r"the (?:project|launch|migration|release|feature|change|fix) (?:was|went)\b", r"finally\b", r"eventually\b",
    r"successfully\b", r"saving\b", r"zero\b.{0,20}(?:incidents|outages|complaints|bugs)",
    r"(?:went|worked out|turned out) (?:really |pretty |very |quite )?(?:well|fine|great)\b",
    r"it worked\b", r"(?:was|were) (?:happy|pleased|thrilled) with\b", r"instead of\b.{0,30}\d",
    r"instead of (?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|ninety|a hundred)\b",
    r"(?:^|, )after (?:the|that|this|our|my) (?:fix|change|rollout|launch|release|migration),? (?!i\b|we\b)",
    r"(?:has|have|hasn't|haven't) (?:not )?(?:failed|broken|happened|recurred|come back) since\b",
    r"(?:the|by the) (?:next|following) (?:year|quarter|month|week|sprint|release)\b",
    r"no (?:incidents|outages|complaints|bugs|downtime|regressions|escalations|customers lost)\b",
    r"lost no\b", r"went (?:out|green|smoothly)\b", r"(?:tests?|build|checks) passed\b",
    r"(?<!i )(?<!we )\b(?:shipped|launched|released) (?:on time|in|two|three|a|with|after|later|early)\b",
    r"(?:we|i) (?:sold|signed|won|closed|reached|saved|retired|turned off|turned the)\b",
    r"(?:was|were|got) (?:adopted|approved|merged|accepted|signed off)\b", r"is now\b", r"now (?:brings|runs|handles|serves)\b",
    r"stopped (?:happening|failing|breaking)\b", r"(?:nobody|no one) was surprised\b", r"(?:they|she|he) agreed\b",
)

#: What they learned or would do differently.
REFLECTION_CUES: tuple[str, ...] = (
    r"(?:i|we) (?:learned|learnt|realized|realised)\b", r"next time\b", r"in hindsight\b", r"looking back\b",
    r"(?:i'd|i would|i'll|i will|we'd|we would) do (?:it |things |that )?differently\b",
    r"if i (?:did|were to do|had to do|could do) (?:it|this|that) again\b", r"taught me\b", r"(?:key )?takeaway\b",
    r"lesson\b", r"since then,? i\b", r"now i (?:always|make sure|try|start|check|ask)\b",
    r"what i(?:'d| would) change\b", r"i(?:'d| would) have\b", r"(?:i|it) made me\b", r"from then on\b",
    r"i should have\b", r"i now\b", r"changed how i\b", r"i still (?:use|do|apply)\b",
)

# ------------------------------------------------------------- hedges etc.

#: Hedges: a claim said without standing behind it.
HEDGES: tuple[str, ...] = (
    r"i think\b", r"i guess\b", r"probably\b", r"maybe\b", r"perhaps\b", r"kind of\b", r"sort of\b",
    r"i'm not (?:sure|certain)\b", r"i believe\b", r"might have\b", r"may have\b", r"somewhat\b",
    r"more or less\b", r"i suppose\b", r"i don't (?:really )?remember\b", r"if i remember\b",
    r"something like that\b", r"or something\b", r"i'd say\b", r"roughly\b",
)

#: What someone would do, not what they did.
HYPOTHETICALS: tuple[str, ...] = (
    r"(?:i|we)(?:'d| would)\s+(?:\w+ly\s+)?(?!have\b|say\b|like\b|love\b|guess\b|think\b|imagine\b|argue\b|do (?:it |things |that )?differently\b)\w+",
    r"(?:typically|usually|generally|normally|in general),? (?:i|we)\b", r"(?:i|we) (?:typically|usually|generally|normally|tend to)\b",
    r"i always try\b", r"my (?:approach|process|strategy) (?:is|would be)\b", r"what i (?:would |usually |always )?do is\b",
    r"if (?:that|this|it|something|someone|a|an|there) (?:\w+ )?(?:happens|happened|were|was|comes)\b.{0,40}?(?:i|we)(?:'d| would| will)\b",
    r"in (?:that|this|a|such a) (?:situation|case|scenario),? (?:i|we)(?:'d| would)\b", r"i(?:'d| would) probably\b",
    r"i (?:will|can|could) (?:always )?(?:start|first|try|talk|make sure|ask)\b",
)

#: Speech fillers (they never add to a score). "like" only between commas
#: or after another filler; "sort of"/"kind of" count as hedges and fillers.
FILLERS: tuple[str, ...] = (
    r"um+\b", r"uh+\b", r"erm+\b", r"er\b", r"ah+\b", r"hmm+\b", r"you know\b,?", r"basically\b,?",
    r"i mean\b(?! it\b| that\b| to\b| what\b),?", r"literally\b", r"actually\b,?", r"like(?=,)", r"(?<=, )like\b,?",
    r"(?<!\bi )(?<!we )(?<!you )(?<!they )(?<!would )(?<!'d )(?<!didn't )(?<!looks )(?<!look )(?<!felt )(?<!feel )(?<!seemed )(?<!things )(?<!something )(?<!just )(?<!don't )(?<!do )like (?=for\b|a\b|an\b|the\b|\d|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|eight\b|nine\b|ten\b|eleven\b|twelve\b|twenty\b|thirty\b|really\b|so\b|super\b|totally\b)", r"sort of\b",
    r"kind of\b", r"you see\b,?", r"right\?", r"okay so\b", r"so yeah\b", r"yeah\b,?",
)

# ------------------------------------------------------------------ scope

#: Scope signals of each level above L4 (L4 is one's own tasks).
SCOPE_SIGNALS: dict[Level, tuple[str, ...]] = {
    "L5A": (
        r"other teams?\b", r"another team\b", r"cross[- ]functional", r"across (?:teams|the teams|two teams|three teams)\b",
        r"stakeholders?\b", r"aligned\b", r"alignment\b", r"align\b", r"influenc", r"without (?:any |formal )?authority\b",
        r"convinc", r"persuad", r"negotiat", r"product managers?\b", r"(?:the )?design(?:er)? team\b", r"designers?\b",
        r"partner teams?\b", r"coordinat", r"mentor", r"tech lead\b", r"trade-?offs?\b", r"prioriti[sz]", r"buy-in\b",
        r"got (?:them|everyone|both teams|the teams) (?:on board|to agree)\b", r"(?:the|our) (?:sales|marketing|support|legal|finance|security|ops|operations|data|platform|infra|infrastructure|mobile|web|ios|android|backend|frontend|qa|design|product|partner|payments) teams?\b",
        r"(?:two|three|four|several|both) teams\b", r"led (?:the|a|our) (?:team|project|effort|initiative|migration)\b", r"proposal\b",
        r"push(?:ed)? back\b", r"escalat", r"dependenc",
    ),
    "L5B": (
        r"org(?:anization|anisation)?[- ]wide\b", r"(?:the|our|whole|entire) (?:organization|organisation|org)\b",
        r"company[- ]wide\b", r"across the (?:company|org|organization|organisation|business)\b",
        r"strateg", r"leadership team\b", r"senior leadership\b", r"executives?\b", r"\bvps?\b", r"\bc[tei]o\b",
        r"directors?\b", r"multi[- ](?:quarter|year)\b", r"(?:next|coming|following) (?:year|two quarters|three quarters|several quarters)\b",
        r"long[- ]term\b", r"vision\b", r"(?:set|define|defined|setting|chose|choose) (?:the )?direction\b", r"ambigu",
        r"no clear\b", r"undefined\b", r"headcount\b", r"budget\b", r"(?:several|multiple|many|all|five|six|seven|eight|ten|a dozen) teams\b",
        r"the whole company\b", r"hiring plan\b", r"operating model\b", r"okrs?\b", r"roadmap for\b",
        r"(?:engineering|product) (?:org|organization|organisation)\b", r"reorg", r"charter\b",
    ),
}

# ------------------------------------------------------------- relevance

#: Cue words per competency (prefixes unless closed with ``\\b``).
COMPETENCY_CUES: dict[Competency, tuple[str, ...]] = {
    "communication": (r"explain", r"present", r"wrote\b", r"writ", r"document", r"audience", r"clear",
                      r"clarit", r"listen", r"feedback", r"updates?\b", r"message", r"simplif",
                      r"non-?technical", r"email", r"meeting", r"communicat", r"walk(?:ed)? (?:them|him|her) through",
                      r"demo", r"slides?\b", r"summar", r"understand", r"jargon", r"diagram"),
    "motivation": (r"excit", r"passion", r"interest", r"career", r"grow", r"learn", r"mission", r"impact",
                   r"motivat", r"goal", r"love", r"enjoy", r"drawn", r"curious", r"why i\b", r"want(?:ed)? to\b",
                   r"energ", r"meaning", r"proud", r"challenge", r"reason"),
    "culture_fit": (r"team", r"values?\b", r"collaborat", r"feedback", r"disagree", r"respect", r"inclusi",
                    r"help", r"support", r"culture", r"trust", r"ownership", r"humble", r"mentor", r"conflict",
                    r"differen", r"together", r"honest", r"transparen", r"work(?:ing)? style", r"environment"),
    "technical_basics": (r"code", r"coding", r"python", r"java", r"sql\b", r"database", r"\bapi", r"tests?\b",
                         r"testing", r"debug", r"bugs?\b", r"deploy", r"git\b", r"framework", r"algorithm",
                         r"data structure", r"performance", r"quer", r"server", r"fix", r"function", r"class",
                         r"library", r"review", r"language", r"stack"),
    "availability": (r"start", r"notice", r"weeks?\b", r"relocat", r"remote", r"hybrid", r"on-?site", r"schedule",
                     r"availab", r"hours", r"time ?zone", r"visa", r"commut", r"date", r"flexib", r"travel",
                     r"office", r"full-?time", r"part-?time", r"contract", r"month"),
    "leadership": (r"\bled\b", r"lead", r"team", r"mentor", r"coach", r"decision", r"decided", r"ownership",
                   r"owned", r"delegat", r"direction", r"vision", r"motivat", r"hire", r"hiring", r"initiative",
                   r"drove", r"responsib", r"took charge", r"organi[sz]ed", r"ran\b", r"rallied", r"unblock"),
    "problem_solving": (r"problem", r"root cause", r"debug", r"investigat", r"analy", r"data", r"hypothes",
                        r"test", r"experiment", r"trade-?off", r"solution", r"options?\b", r"diagnos", r"fix",
                        r"metric", r"measur", r"narrow", r"reproduc", r"logs?\b", r"profil", r"figured out",
                        r"cause", r"approach", r"solv", r"issue", r"outage", r"broke", r"broken", r"fail",
                        r"errors?\b", r"found\b", r"dug\b", r"tried", r"workaround", r"why\b"),
    "ambiguity_tolerance": (r"ambigu", r"unclear", r"uncertain", r"unknown", r"no clear", r"chang", r"pivot",
                            r"assum", r"incomplete", r"prototype", r"iterat", r"experiment", r"scope",
                            r"defin", r"clarif", r"figure out", r"without (?:a |any |clear )", r"vague",
                            r"missing", r"requirements", r"moving target", r"best guess", r"decid"),
    "stakeholder_management": (r"stakeholder", r"align", r"expectation", r"negotiat", r"priorit", r"push(?:ed)? back",
                               r"pushback", r"conflict", r"agree", r"trade-?off", r"updates?\b", r"escalat",
                               r"buy-in", r"concern", r"product manager", r"leadership", r"customer",
                               r"partner", r"client", r"manag", r"compromis", r"sales", r"deadline", r"request"),
    "technical_depth": (r"architect", r"design", r"scal", r"latenc", r"throughput", r"database", r"cach",
                        r"consisten", r"migrat", r"distributed", r"trade-?off", r"performance", r"memory",
                        r"queue", r"index", r"schema", r"protocol", r"concurren", r"profil", r"bottleneck",
                        r"replica", r"shard", r"partition", r"load", r"api", r"service", r"kafka", r"redis",
                        r"postgres", r"benchmark", r"p9\d", r"thread", r"lock"),
}

#: Words of a question that say nothing about its content.
_STOPWORDS_TEXT = """
a an the and or but of to in on at for with about from by as into over under than then that this
these those it its is are was were be been being do does did have has had having i me my you your
we our they them their he she his her what which who whom when where why how tell describe give
example time times walk us through share talk situation one some any can could would should will
just also there here so if not no yes more most very really much many did done make made get got
let lets let's like experience recent recently ever last someone something anything
"""
QUESTION_STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())

#: Words that make an answer concrete (beside numbers and names).
SPECIFIC_TERMS: tuple[str, ...] = (
    # systems and work items
    r"database", r"api\b", r"apis\b", r"service", r"pipeline", r"dashboard", r"migration", r"release",
    r"sprint", r"roadmap", r"deploy", r"deployment", r"query", r"queries", r"cache", r"outage",
    r"incident", r"on-?call", r"ticket", r"pull request", r"code review", r"design doc", r"rfc\b",
    r"postmortem", r"post-mortem", r"spreadsheet", r"prototype", r"a/b test", r"feature flag",
    r"microservice", r"endpoint", r"schema", r"kubernetes", r"docker", r"aws\b", r"gcp\b", r"azure",
    r"python", r"java\b", r"javascript", r"typescript", r"react", r"sql\b", r"postgres", r"mysql",
    r"redis", r"kafka", r"jira", r"slack", r"latency", r"checkout", r"billing", r"onboarding",
    r"search", r"mobile app", r"ios\b", r"android", r"frontend", r"backend", r"ci\b", r"tests? suite",
    # people and roles
    r"product manager", r"\bpm\b", r"designer", r"director", r"\bvp\b", r"\bcto\b", r"engineering manager",
    r"my manager", r"tech lead", r"qa\b", r"customer success", r"support team", r"sales team",
    r"data scientist", r"intern", r"new hire", r"the client",
    # time frames
    r"deadline", r"by (?:monday|tuesday|wednesday|thursday|friday|the end of)", r"\bq[1-4]\b",
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    r"(?:january|february|march|april|june|july|august|september|october|november|december)\b",
    r"end of (?:the )?(?:quarter|month|year|sprint)",
)
