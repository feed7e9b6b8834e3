"""What the behavioural scorer sends a model: the seed spec's four prompts
(seed 002, "Prompt Templates"), word for word, each followed by this
project's additions (as the coding coach's ``HOUSE_RULES`` follow its
system prompt), and the offline scorer's features as facts.

The additions: the facts the scripted reader measured in the answer (STAR
parts with the candidate's own sentences, numbers, first person, hedges,
hypotheticals, scope signals, the offline score and its rubric), so that a
small model judges from them rather than from a guess; one extra field in
the analysis (``evidence``: the candidate's sentences, quoted word for
word, each labelled with its STAR part); and the rules the code enforces
anyway (quotes verbatim, a rewrite that invents no number, name or
organisation, placeholders in ``[brackets]``). Pure functions, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from mock_interviewer_lab.competencies import LEVEL_DEFINITIONS, Level
from mock_interviewer_lab.interview.rules.star import STAR_PARTS, Answered, AnswerScore

#: The seed spec's prompts, word for word.
GENERATE_QUESTION_PROMPT = """
You are conducting a mock interview for a {interview_stage} stage.

CANDIDATE BACKGROUND:
{resume_text}

TARGET ROLE:
{job_description}

INTERVIEW STAGE: {interview_stage}
DIFFICULTY LEVEL: {difficulty}
QUESTIONS ALREADY ASKED: {asked_questions}

Generate a behavioral or technical question that:
1. Tests competency in {competency_area}
2. Is realistic for this interview stage
3. Is answerable using candidate's actual work experience
4. Matches the difficulty level
5. Does not repeat previously asked questions

DIFFICULTY GUIDELINES:
- Easy: Straightforward STAR questions, clear scenarios
- Medium: Multi-faceted situations, requires prioritization or tradeoffs
- Hard: Ambiguous scenarios, strategic thinking, handling conflict/failure

OUTPUT FORMAT:
Return JSON:
{{
    "question_text": "string (the actual question)",
    "competency_tested": "string (primary competency being evaluated)",
    "difficulty": "easy|medium|hard"
}}

No markdown, no preamble.
"""

ANALYZE_RESPONSE_PROMPT = """
Analyze this candidate's response to a mock interview question.

QUESTION: {question_text}
CANDIDATE RESPONSE: {response_text}
RESPONSE NUMBER: {response_number} (1 = initial, 2-4 = follow-ups)
EXPECTED COMPETENCY: {competency}
TARGET LEVEL: {target_level}

CANDIDATE BACKGROUND:
{resume_text}

Evaluate:
1. Did they demonstrate the expected competency?
2. What level are they communicating at (L4/L5A/L5B)?
3. What gaps exist in their answer?
4. What strengths did they show?
5. Score the response 1-10

LEVEL GUIDELINES:
- L4: Execution-focused, task completion, individual contributor scope
- L5A: Cross-team coordination, strategic input, influence without authority
- L5B: Organizational impact, strategic decisions, ambiguity navigation

Generate 2-3 follow-up questions that:
- Probe gaps in their answer
- Test depth of experience
- Push them to elevate their response to target level
- Are realistic for this interview stage

OUTPUT FORMAT:
Return JSON:
{{
    "score": integer (1-10),
    "level_demonstrated": "L4" | "L5A" | "L5B",
    "gaps": ["gap1", "gap2"],
    "strengths": ["strength1", "strength2"],
    "follow_up_questions": ["question1", "question2", "question3"],
    "brief_feedback": "string (1-2 sentences of immediate coaching)"
}}

RULES:
- Be specific about gaps (not "needs more detail" but "didn't mention stakeholder alignment")
- Reference actual competencies (not generic advice)
- Follow-ups should build on their response
- Brief feedback should be actionable

No markdown, no preamble.
"""

GENERATE_QUESTION_FEEDBACK_PROMPT = """
Provide comprehensive coaching feedback after this mock interview question.

QUESTION: {question_text}
COMPETENCY TESTED: {competency}
TARGET LEVEL: {target_level}

ALL CANDIDATE RESPONSES:
{all_responses_text}

ANALYSIS:
{analysis_json}

CANDIDATE BACKGROUND:
{resume_text}

Generate detailed feedback covering:
1. Overall assessment (2-3 sentences)
2. What landed (2-3 specific things they did well)
3. What didn't land (2-3 specific gaps or weaknesses)
4. Coaching (actionable advice for improvement)
5. Revised answer (rewrite their response at the target level using their actual experience)

OUTPUT FORMAT:
Return JSON:
{{
    "overall_assessment": "string (2-3 sentences)",
    "what_landed": ["bullet1", "bullet2", "bullet3"],
    "what_didnt_land": ["bullet1", "bullet2", "bullet3"],
    "coaching": "string (2-3 paragraphs of specific advice)",
    "revised_answer": "string (their answer rewritten at target level)"
}}

RULES FOR REVISED ANSWER:
- Use only their actual work experience (no fabrication)
- Elevate to target level (L4 → L5A → L5B)
- Include specific metrics, outcomes, and scope
- Follow STAR structure (Situation, Task, Action, Result)
- Keep it realistic (what they COULD have said, not fantasy)

COACHING GUIDELINES:
- Be direct and specific
- Reference actual gaps from their responses
- Provide tactical fixes (not just "be more strategic")
- Connect to competency frameworks

No markdown, no preamble.
"""

GENERATE_SESSION_FEEDBACK_PROMPT = """
Generate comprehensive feedback for this completed mock interview session.

SESSION DETAILS:
- Interview Stage: {interview_stage}
- Questions Completed: {num_questions}
- Average Score: {average_score}

QUESTION SUMMARIES:
{questions_summary}

CANDIDATE BACKGROUND:
{resume_text}

TARGET ROLE:
{job_description}

Generate session-level feedback covering:
1. Overall assessment (2-3 sentences on readiness)
2. Key strengths (3 things they consistently did well)
3. Areas to improve (3 things that need work)
4. Coaching priorities (3 specific things to practice before real interview)
5. Readiness score: "Ready" | "Almost Ready" | "Needs Practice"

READINESS CRITERIA:
- Ready: Average score ≥8, no critical gaps, level-appropriate communication
- Almost Ready: Average score 6-7.9, minor gaps, mostly level-appropriate
- Needs Practice: Average score <6, significant gaps, below-level communication

OUTPUT FORMAT:
Return JSON:
{{
    "overall_assessment": "string (2-3 sentences)",
    "key_strengths": ["strength1", "strength2", "strength3"],
    "areas_to_improve": ["area1", "area2", "area3"],
    "coaching_priorities": ["priority1", "priority2", "priority3"],
    "readiness_score": "Ready" | "Almost Ready" | "Needs Practice",
    "next_steps": "string (what to do next)"
}}

RULES:
- Strengths should be specific (not "good communication" but "demonstrated cross-team leadership with metrics")
- Improvements should be actionable (not "be more confident" but "practice leading with impact statements")
- Priorities should be ranked by importance
- Next steps should be tactical

No markdown, no preamble.
"""

SYSTEM = ("You interview and coach candidates in behavioural (STAR) mock interviews. You answer "
          "with one JSON object, exactly the shape asked, and nothing else.")

#: This project's additions after each prompt.
FACTS_RULES = """
FACTS MEASURED IN THE ANSWER (by a scripted reader; trust them, they are exact):
{facts}

ALSO:
- Add "evidence": [{{"part": "situation|task|action|result|reflection", "quote": "..."}}] to the JSON: the candidate's own sentences that show each part, copied word for word. A quote the candidate did not say is thrown away.
- Quote the candidate only word for word, in single quotes.
- score is an integer from 1 to 10; level_demonstrated is exactly "L4", "L5A" or "L5B"; every list holds plain strings.
"""

REWRITE_RULES = """
FACTS MEASURED IN THE RESPONSES (by a scripted reader; trust them, they are exact):
{facts}

ALSO, FOR THE REVISED ANSWER (checked by code; a rewrite that breaks these is replaced):
- Use only facts from ALL CANDIDATE RESPONSES: no number, name, company, team or tool they did not say.
- Where something is missing (a metric, a name, their own decision), write a placeholder in square brackets instead, e.g. [the number: by how much?] or [who you convinced].
- Label the parts: "Situation: … Task: … Action: … Result: …", each on its own line.
"""

SESSION_RULES = """
FACTS (computed; trust them):
- The readiness band of the average score by the criteria above: {readiness}
- The gaps the scripted reader found most often, most important first: {gaps}

ALSO: readiness_score must be the band above. Quote the candidate only word for word, in single quotes.
"""

QUESTION_RULES = """
ALSO: the question tests {competency_area} (keep "competency_tested": "{competency_area}" and "difficulty": "{difficulty}"); one question, at most two sentences, ending with a question mark.
"""

_NONE = "(not given)"


def _or_none(text: str) -> str:
    return text.strip() or _NONE


def answer_facts(score: AnswerScore) -> dict[str, Any]:
    """The offline scorer's reading of an answer, as facts for the model."""
    f = score.features
    scope: dict[str, list[str]] = {}
    for level, phrase in f.scope_signals:
        scope.setdefault(level, []).append(phrase)
    return {
        "star_parts_found": {part: [e.sentence for e in score.evidence if e.part == part]
                             for part in STAR_PARTS if score.star.has(part)},
        "star_parts_missing": list(score.star.missing()),
        "numbers_said": list(f.numbers),
        "sentences_with_I_and_an_action": f.first_person_actions,
        "I_me_my_count": f.i_count,
        "we_us_our_count": f.we_count,
        "hedges": list(f.hedged),
        "hypothetical_phrases": list(f.hypothetical),
        "fillers": f.fillers,
        "words": f.words,
        "scope_signals_by_level": scope,
        "competency_cues_said": list(f.competency_cues),
        "relevance_0_to_1": f.relevance,
        "offline_score": score.score,
        "offline_level": score.level,
        "offline_rubric": {p.dimension: f"{p.points}/{p.out_of}: {p.why}" for p in score.rubric},
        "offline_gaps": [g.text for g in score.gaps],
        "caps": list(score.caps),
    }


def _facts(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)


def messages(prompt: str) -> list[dict[str, Any]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]


def question_prompt(*, stage: str, competency: str, difficulty: str, asked: Sequence[str],
                    resume: str, job: str) -> str:
    return GENERATE_QUESTION_PROMPT.format(
        interview_stage=stage, resume_text=_or_none(resume), job_description=_or_none(job),
        difficulty=difficulty, asked_questions=json.dumps(list(asked), ensure_ascii=False),
        competency_area=competency,
    ) + QUESTION_RULES.format(competency_area=competency, difficulty=difficulty)


def analysis_prompt(*, question: str, answer: str, response_number: int, competency: str,
                    target_level: Level, resume: str, score: AnswerScore,
                    earlier: Sequence[str] = ()) -> str:
    response = answer if not earlier else format_responses([*earlier, answer])
    return ANALYZE_RESPONSE_PROMPT.format(
        question_text=question, response_text=response, response_number=response_number,
        competency=competency, target_level=f"{target_level} "
        f"({LEVEL_DEFINITIONS[target_level]})", resume_text=_or_none(resume),
    ) + FACTS_RULES.format(facts=_facts(answer_facts(score)))


def format_responses(answers: Sequence[str]) -> str:
    """The spec's ``format_responses_for_analysis``."""
    return "\n\n".join(f"{'INITIAL RESPONSE' if i == 1 else f'FOLLOW-UP {i - 1}'}:\n{text}"
                       for i, text in enumerate(answers, 1))


def question_feedback_prompt(*, question: str, competency: str, target_level: Level,
                             answers: Sequence[str], analysis: dict[str, Any], resume: str,
                             score: AnswerScore) -> str:
    return GENERATE_QUESTION_FEEDBACK_PROMPT.format(
        question_text=question, competency=competency, target_level=target_level,
        all_responses_text=format_responses(answers),
        analysis_json=json.dumps(analysis, indent=1, ensure_ascii=False),
        resume_text=_or_none(resume),
    ) + REWRITE_RULES.format(facts=_facts(answer_facts(score)))


def session_prompt(*, stage: str, answered: Sequence[Answered], average: float,
                   readiness: str, gaps: Sequence[str], resume: str, job: str) -> str:
    summaries = "\n".join(
        f"{n}. [{a.competency}] {a.question}\n   score {a.score.score}/10, level {a.score.level}: "
        f"{a.score.brief_feedback}" for n, a in enumerate(answered, 1))
    return GENERATE_SESSION_FEEDBACK_PROMPT.format(
        interview_stage=stage, num_questions=len(answered), average_score=f"{average:.1f}",
        questions_summary=summaries or _NONE, resume_text=_or_none(resume),
        job_description=_or_none(job),
    ) + SESSION_RULES.format(readiness=readiness, gaps="; ".join(gaps) or "none")


CORRECTION = ("Your reply could not be used: {problem}. Answer again with only the JSON object, "
              "exactly the shape asked: no markdown, no text before or after it.")
