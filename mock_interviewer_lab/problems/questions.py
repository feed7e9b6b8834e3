"""Question banks: the behavioural interview's packs.

A bank is a pack whose ``pack.yaml`` says ``kind: behavioral``; it travels
the ways a problem pack does (built in, a folder named in the settings or
``$MOCK_INTERVIEWER_PACKS``, a pip entry point). Its questions sit in YAML
files, one per competency is the pleasant layout::

    my_bank/
      pack.yaml            name, version, title, author, licence, kind: behavioral
      leadership.yaml      competency: leadership
                           questions: [{id, difficulty, text, star, strong_answer, probes}]
      availability.yaml    ...

Every ``*.yaml`` file under the folder except ``pack.yaml`` (and names
starting with ``.`` or ``_``) is a question file. The stage comes from the
competency (``competencies.COMPETENCIES_BY_STAGE``); a file may say it too.
A question's ``probes`` are its follow-ups keyed by the gap they probe
(``competencies.Gap``), written for that question.

Banks are untrusted like any pack: YAML is read with the safe loader, files
and their node trees are bounded, nothing is executed; every mistake is one
:class:`PackIssue` naming the file, the line and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from mock_interviewer_lab.competencies import (
    COMPETENCIES,
    COMPETENCIES_BY_STAGE,
    DIFFICULTIES,
    Competency,
    Difficulty,
    Gap,
    Stage,
)
from mock_interviewer_lab.problems.loader import (
    PackIssue,
    Problem,
    _line_of,
    _read_yaml,
    _validate,
    read_pack_meta,
)
from mock_interviewer_lab.problems.model import (
    ID_PATTERN,
    HintSpec,
    PackMeta,
    ProblemSpec,
    TestSpec,
)

#: The largest question file read, in bytes: about 150 questions.
MAX_BANK_FILE_BYTES = 256 * 1024
#: The most question files one bank may hold.
MAX_BANK_FILES = 100
#: The most YAML nodes one file may reach (an alias counts each time it is
#: reached, so a nest of aliases cannot blow up what is validated).
MAX_YAML_NODES = 50_000

QUESTION_TEXT_LIMIT = 400
PROBE_TEXT_LIMIT = 300
STRONG_POINT_LIMIT = 240

#: The gaps every STAR question has a probe for.
REQUIRED_PROBES: tuple[Gap, ...] = (
    "no_result", "we_not_i", "no_numbers", "vague", "below_level", "no_reflection",
    "hypothetical",
)
#: A factual question (``star: false``: a start date, a notice period) has
#: no story to probe: it needs only a probe for a vague answer.
REQUIRED_PROBES_FACTUAL: tuple[Gap, ...] = ("vague",)

_STAGE_OF: dict[Competency, Stage] = {
    c: stage for stage, comps in COMPETENCIES_BY_STAGE.items() for c in comps
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


ProbeText = Annotated[str, Field(min_length=10, max_length=PROBE_TEXT_LIMIT)]
StrongPoint = Annotated[str, Field(min_length=3, max_length=STRONG_POINT_LIMIT)]


class QuestionSpec(_Strict):
    """One question as a bank file writes it."""

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
    difficulty: Difficulty
    text: Annotated[str, Field(min_length=15, max_length=QUESTION_TEXT_LIMIT)]
    #: False for a factual question (availability, a salary range): not a
    #: story, so the scorer does not look for Situation/Task/Action/Result.
    star: bool = True
    #: What a strong answer shows, a short list.
    strong_answer: Annotated[list[StrongPoint], Field(min_length=2, max_length=8)]
    #: Follow-ups keyed by the gap they probe, specific to this question.
    probes: dict[Gap, ProbeText]

    @field_validator("probes")
    @classmethod
    def _required_probes(cls, probes: dict[Gap, str], info: ValidationInfo) -> dict[Gap, str]:
        star = info.data.get("star", True)
        required = REQUIRED_PROBES if star else REQUIRED_PROBES_FACTUAL
        missing = [g for g in required if g not in probes]
        if missing:
            kind = "a STAR question" if star else "a factual question (star: false)"
            raise ValueError(f"{kind} needs a probe for each of {', '.join(required)}; "
                             f"missing: {', '.join(missing)}")
        return probes


class QuestionFile(_Strict):
    """A question file: the questions of one competency."""

    competency: Competency
    #: Optional: the competency names its stage; when given it must agree.
    stage: Stage | None = None
    questions: Annotated[list[QuestionSpec], Field(min_length=1)]

    @field_validator("stage")
    @classmethod
    def _stage_of_competency(cls, stage: Stage | None, info: ValidationInfo) -> Stage | None:
        competency = info.data.get("competency")
        if stage is not None and competency is not None and _STAGE_OF[competency] != stage:
            raise ValueError(f"{competency} is asked at {_STAGE_OF[competency]}, not {stage}")
        return stage


@dataclass(frozen=True)
class Question:
    """A loaded question: its spec, where it came from, its stage and competency."""

    bank: str
    path: Path
    spec: QuestionSpec
    competency: Competency
    line: int | None = None
    #: Its place in the file: ``questions.<index>``.
    index: int = 0
    #: The line of each field ("text", "probes.vague", ...) for messages.
    field_lines: Mapping[str, int] = field(default_factory=dict)

    def where(self, name: str = "") -> tuple[str, int | None]:
        """(field, line) of one of its fields for an issue."""
        loc = f"questions.{self.index + 1}" + (f".{name}" if name else "")
        return loc, self.field_lines.get(name, self.line)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def qualified_id(self) -> str:
        return f"{self.bank}:{self.spec.id}"

    @property
    def stage(self) -> Stage:
        return _STAGE_OF[self.competency]

    @property
    def difficulty(self) -> Difficulty:
        return self.spec.difficulty

    @property
    def text(self) -> str:
        return self.spec.text

    @property
    def star(self) -> bool:
        return self.spec.star

    @property
    def strong_answer(self) -> list[str]:
        return list(self.spec.strong_answer)

    @property
    def probes(self) -> dict[Gap, str]:
        return dict(self.spec.probes)

    def probe(self, gap: Gap) -> str | None:
        """The follow-up for ``gap``; None when the question has none."""
        return self.spec.probes.get(gap)

    def public_view(self) -> dict[str, Any]:
        """What the candidate is shown: the question, never the strong-answer
        notes or the probes."""
        return {"id": self.id, "qualified_id": self.qualified_id, "bank": self.bank,
                "stage": self.stage, "competency": self.competency,
                "difficulty": self.difficulty, "star": self.star, "text": self.text}

    def summary(self) -> dict[str, Any]:
        """The question in a list (the command line, the API)."""
        return {**self.public_view(), "probes": sorted(self.spec.probes)}


@dataclass
class QuestionBank:
    meta: PackMeta
    path: Path
    questions: dict[str, Question] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.meta.name

    def select(self, stage: Stage | None = None, competency: Competency | None = None,
               difficulty: Difficulty | None = None) -> list[Question]:
        return [q for q in self.questions.values()
                if (stage is None or q.stage == stage)
                and (competency is None or q.competency == competency)
                and (difficulty is None or q.difficulty == difficulty)]

    def coverage(self) -> dict[Competency, dict[Difficulty, int]]:
        """How many questions per competency and difficulty (every competency
        and difficulty is a key, zero included)."""
        counts = {c: dict.fromkeys(DIFFICULTIES, 0) for c in COMPETENCIES}
        for q in self.questions.values():
            counts[q.competency][q.difficulty] += 1
        return counts

    def stages(self) -> list[Stage]:
        """The stages the bank has questions for, in the spec's order."""
        present = {q.stage for q in self.questions.values()}
        return [s for s in COMPETENCIES_BY_STAGE if s in present]

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.meta.version, "title": self.meta.title,
                "kind": self.meta.kind, "path": str(self.path),
                "questions": len(self.questions), "stages": self.stages(),
                "coverage": {c: n for c, n in self.coverage().items() if any(n.values())}}


# ------------------------------------------------------------------ loading


def _node_count_exceeds(node: yaml.Node, budget: int) -> bool:
    """True when walking ``node`` (aliases followed each time) reaches more
    than ``budget`` nodes."""
    stack = [node]
    seen = 0
    while stack:
        current = stack.pop()
        seen += 1
        if seen > budget:
            return True
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append(key)
                stack.append(value)
    return False


def _question_files(path: Path) -> list[Path]:
    files = [p for pattern in ("*.yaml", "*.yml") for p in path.rglob(pattern)]
    return sorted(p for p in files
                  if p != path / "pack.yaml"
                  and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts))


@dataclass
class _BankReading:
    root: Path
    meta: PackMeta
    issues: list[PackIssue] = field(default_factory=list)
    bank: QuestionBank = field(init=False)
    #: id -> where it was first seen ("file:line")
    first_seen: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bank = QuestionBank(meta=self.meta, path=self.root)

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def read_file(self, path: Path) -> None:
        rel = self.rel(path)
        real = path.resolve()
        if not real.is_relative_to(self.root.resolve()):
            self.issues.append(PackIssue(rel, "points outside the bank's folder; "
                                         "question files must be inside it"))
            return
        size = real.stat().st_size
        if size > MAX_BANK_FILE_BYTES:
            self.issues.append(PackIssue(rel, f"is {size:,} bytes; a question file may be at "
                                         f"most {MAX_BANK_FILE_BYTES:,} (split it)"))
            return
        data, node = _read_yaml(real, rel, self.issues)
        if node is None:
            if data is None and not any(i.file == rel for i in self.issues):
                self.issues.append(PackIssue(rel, "is empty"))
            return
        if _node_count_exceeds(node, MAX_YAML_NODES):
            self.issues.append(PackIssue(rel, f"has more than {MAX_YAML_NODES:,} YAML nodes "
                                         "(aliases counted each time they are used)", line=1))
            return
        spec = _validate(QuestionFile, data, node, rel, self.issues)
        if spec is None:
            return
        for i, qs in enumerate(spec.questions):
            line = _line_of(node, ["questions", i])
            where = f"{rel}:{line}" if line else rel
            if qs.id in self.first_seen:
                self.issues.append(PackIssue(
                    rel, f"duplicate id {qs.id!r}: already used at {self.first_seen[qs.id]}",
                    field=f"questions.{i + 1}.id", line=_line_of(node, ["questions", i, "id"])))
                continue
            self.first_seen[qs.id] = where
            names = ["id", "text", "strong_answer", *(f"probes.{g}" for g in qs.probes)]
            lines = {n: _line_of(node, ["questions", i, *n.split(".")]) for n in names}
            self.bank.questions[qs.id] = Question(
                bank=self.meta.name, path=path, spec=qs, competency=spec.competency, line=line,
                index=i, field_lines={n: ln for n, ln in lines.items() if ln is not None})


def load_bank(path: Path, meta: PackMeta | None = None) -> tuple[QuestionBank | None,
                                                                  list[PackIssue]]:
    """Load a question bank folder: the bank (every question that loaded)
    and the issues of the files that did not. ``meta``: its ``pack.yaml``
    when the caller has already read it."""
    issues: list[PackIssue] = []
    rel_meta = f"{path.name}/pack.yaml"
    if meta is None:
        meta, issues = read_pack_meta(path)
    if meta is None:
        return None, issues
    if meta.kind != "behavioral":
        return None, [PackIssue(rel_meta, "is not a question bank: a bank says "
                                "'kind: behavioral'", field="kind")]
    reading = _BankReading(root=path, meta=meta, issues=issues)
    files = _question_files(path)
    if len(files) > MAX_BANK_FILES:
        return None, [*issues, PackIssue(rel_meta, f"the bank has {len(files)} question files; "
                                         f"at most {MAX_BANK_FILES} are read")]
    for file in files:
        reading.read_file(file)
    if not files:
        reading.issues.append(PackIssue(rel_meta, "the bank has no question files (*.yaml "
                                        "beside pack.yaml)"))
    return reading.bank, reading.issues


def questions_of(banks: Iterable[QuestionBank]) -> list[Question]:
    return [q for bank in banks for q in bank.questions.values()]


# ------------------------------------------------ the interview as a problem

#: The pack name of a behavioural interview's session "problem": a session
#: (its store row, its report, resume and replay) names one problem, and a
#: behavioural session names ``behavioral:<stage>``. It is the built-in
#: bank's name, so no coding pack can take it.
INTERVIEW_PACK = "behavioral"

_STAGE_TITLES: dict[Stage, str] = {"recruiter_screen": "recruiter screen",
                                   "hiring_manager": "hiring manager"}

#: The hints a candidate may ask for in a behavioural interview: how to
#: tell a story, never what to say.
_STAR_HINTS = HintSpec(
    level_1=["Think of one real time it happened: where were you, when, and what was at stake?"],
    level_2=["Tell it in four parts: the situation, your task, what you did yourself, and "
             "how it ended."],
    level_3=["End with the result you can measure (time, money, users, incidents) and one "
             "thing you learned."],
)


def interview_problem(stage: Stage) -> Problem:
    """What a behavioural session names as its problem (``behavioral:<stage>``):
    a title and a statement for the room and the report, the STAR hints; no
    code, no tests, no solution."""
    title = f"Behavioural interview: {_STAGE_TITLES[stage]}"
    spec = ProblemSpec(
        id=stage, title=title, difficulty="medium", tags=["behavioral"],
        statement=(f"A {_STAGE_TITLES[stage]} interview: five questions, one competency each "
                   f"({', '.join(c.replace('_', ' ') for c in COMPETENCIES_BY_STAGE[stage])}), "
                   "each followed by up to three follow-ups. Answer with real examples: the "
                   "situation, your task, what you did and the result, in about two minutes."))
    # No tests: the model's validation wants at least one case, so it is not run.
    tests = TestSpec.model_construct(function="answer")
    return Problem(pack=INTERVIEW_PACK, path=Path("."), spec=spec, tests=tests,
                   hints=_STAR_HINTS, signature="", solution="")


def interview_problem_for(ref: str) -> Problem | None:
    """The interview problem ``ref`` names (``behavioral:<stage>``), or None."""
    pack, _, stage = ref.partition(":")
    if pack != INTERVIEW_PACK:
        return None
    for known in COMPETENCIES_BY_STAGE:
        if stage == known:
            return interview_problem(known)
    return None
