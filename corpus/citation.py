"""The one citation format: 《title》CODE 第X条, as inspectors write it in a rectification notice.

It lives at the bottom of the layers so that a search hit (index), an answer's citation (assistant), the
API and the web page all show the same words; the page reads the ``citation`` field, it does not format.
"""

from __future__ import annotations

# Entries cited by their own id (AL-012, FAQ-003, a tolerance row), not as a clause of a standard.
ENTRY_KINDS = ("case", "faq", "tolerance")


def cite(title: str, code: str, clause_no: str, kind: str = "body", edition: str = "", revised: bool = False) -> str:
    """《title》CODE 第X条; cases, FAQ and tolerance rows by id.

    A standard with a revision in force is cited by its edition, 《…》GB 50016-2014（2018年版）第5.1.1条; a clause
    reworded by a notice that names no edition, 《…》CODE（经局部修订）第X条.
    """
    if kind in ENTRY_KINDS:
        return f"《{title}》{clause_no}"
    if edition:
        return f"《{title}》{code}（{edition}）第{clause_no}条"
    if revised:
        return f"《{title}》{code}（经局部修订）第{clause_no}条"
    return f"《{title}》{code} 第{clause_no}条"
