"""The prioritisation: the score from support (relative to the most supported), urgency, value
and effort, with weights Bits edits (audited); the forum's agenda, printable and as CSV with
formula injection neutralised."""

import csv
import io
from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from casework.csvexport import csv_safe
from casework.models import AuditEvent
from changerequests import priority, services
from changerequests.models import PriorityWeights
from tests.changerequests import builders as b
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db
MEETING = date(2026, 4, 14)


@pytest.fixture
def banks(db):
    return [member_of(OrganisationFactory(name=f"Støttebank {n}", orgnr=f"94000000{n}"))
            for n in range(3)]


def _request(p, banks, *, title, urgency, supporters, value, effort, meeting=None):
    """Proposed by Testbank A (its support counts), supported by `supporters` more banks."""
    request = b.opened(p, title=title, urgency=urgency)
    for user in banks[:supporters]:
        services.vote_cast(request=request, by=user)
    return services.change_request_assess(request=request, by=p["bits"], value=value,
                                          effort=effort, forum_meeting_on=meeting)


@pytest.fixture
def four(p, banks):
    """Hand-worked with the default weights 40/20/25/15 (sum 100); most supported: 4 banks.

    A: S 4/4=1,   U high 1,   V (5-1)/4=1,   E (5-1)/4=1   → 100
    B: S 2/4=.5,  U medium .5, V (3-1)/4=.5,  E (5-3)/4=.5  → 50
    D: S 3/4=.75, U low 0,    V (1-1)/4=0,   E (5-5)/4=0   → 40×.75 = 30
    C: S 1/4=.25, U low 0,    V unassessed=3 → .5, E 5 → 0 → 40×.25 + 25×.5 = 22.5
    """
    return {
        "A": _request(p, banks, title="A", urgency="high", supporters=3, value=5, effort=1,
                      meeting=MEETING),
        "B": _request(p, banks, title="B", urgency="medium", supporters=1, value=3, effort=3),
        "C": _request(p, banks, title="C", urgency="low", supporters=0, value=None, effort=5,
                      meeting=MEETING),
        "D": _request(p, banks, title="D", urgency="low", supporters=2, value=1, effort=5),
    }


def test_score_parts_and_score_by_hand():
    weights = PriorityWeights(support=40, urgency=20, value=25, effort=15)
    parts = priority.score_parts(support=1, max_support=4, urgency="low", value=None, effort=5)
    assert parts == {"support": 0.25, "urgency": 0.0, "value": 0.5, "effort": 0.0}
    assert priority.score(parts, weights) == 22.5
    assert priority.score_parts(support=0, max_support=0, urgency="high", value=2,
                                effort=4)["support"] == 0.0
    assert priority.score(parts, PriorityWeights(support=0, urgency=0, value=0, effort=0)) == 0


def test_ranking_with_the_default_weights(p, four):
    ranked = priority.ranking_for_user(user=p["bits"])
    assert [(r.request.title, r.support, r.score) for r in ranked] == [
        ("A", 4, 100.0), ("B", 2, 50.0), ("D", 3, 30.0), ("C", 1, 22.5)]


def test_changed_weights_change_the_ranking_and_ties_go_to_the_most_supported(p, four):
    services.priority_weights_update(by=p["bits"], support=0, urgency=1, value=0, effort=0)
    ranked = priority.ranking_for_user(user=p["lanekassen"])
    assert [(r.request.title, r.score) for r in ranked] == [
        ("A", 100.0), ("B", 50.0), ("D", 0.0), ("C", 0.0)]


def test_decided_requests_are_not_ranked(p, four):
    b.accepted(p)
    assert {r.request.title for r in priority.ranking_for_user(user=p["bits"])} == {
        "A", "B", "C", "D"}


def test_prioritisation_page_shows_the_formula_and_the_ranking(p, four, client_for):
    html = client_for(p["lanekassen"]).get(reverse("changerequests:prioritisation")).content \
        .decode()
    assert "100 × (40 × S + 20 × H + 25 × V + 15 × I) / 100" in html
    assert html.index(">A<") < html.index(">B<") < html.index(">D<") < html.index(">C<")
    assert "Lagre vektene" not in html  # Lånekassen reads the weights; Bits edits them


def test_bits_edits_the_weights_on_the_page_and_it_is_audited(p, client_for):
    response = client_for(p["bits"]).post(reverse("changerequests:prioritisation"), {
        "support": 50, "urgency": 10, "value": 30, "effort": 10}, follow=True)
    assert response.status_code == 200
    weights = PriorityWeights.objects.get()
    assert (weights.support, weights.urgency, weights.value, weights.effort,
            weights.updated_by) == (50, 10, 30, 10, p["bits"])
    event = AuditEvent.objects.get(verb="priority_weights_changed")
    assert event.actor == p["bits"]
    assert event.data == {"before": {"support": 40, "urgency": 20, "value": 25, "effort": 15},
                          "after": {"support": 50, "urgency": 10, "value": 30, "effort": 10}}


def test_all_weights_zero_is_refused_on_the_page(p, client_for):
    response = client_for(p["bits"]).post(reverse("changerequests:prioritisation"), {
        "support": 0, "urgency": 0, "value": 0, "effort": 0})
    assert response.status_code == 400
    assert "Minst én vekt må være større enn 0." in response.content.decode()
    assert not AuditEvent.objects.filter(verb="priority_weights_changed").exists()


@pytest.mark.parametrize("who", ["lanekassen", "bank_member"])
def test_only_bits_may_change_the_weights(p, client_for, who):
    response = client_for(p[who]).post(reverse("changerequests:prioritisation"), {
        "support": 1, "urgency": 1, "value": 1, "effort": 1})
    assert response.status_code == 404
    assert not PriorityWeights.objects.filter(support=1).exists()


def test_banks_do_not_see_the_prioritisation_or_agenda(p, client_for):
    for name in ("prioritisation", "agenda", "agenda_csv"):
        assert client_for(p["bank_member"]).get(
            reverse(f"changerequests:{name}")).status_code == 404


def test_agenda_lists_the_meetings_requests_ranked_and_prints_cleanly(p, four, client_for):
    response = client_for(p["bits"]).get(reverse("changerequests:agenda"),
                                         {"dato": MEETING.isoformat()})
    html = response.content.decode()
    assert "Agenda for Fagutvalget 14.04.2026" in html
    assert html.index(": A</h2>") < html.index(": C</h2>")
    assert ": B</h2>" not in html
    assert "changerequests/agenda.css" in html
    css = open(finders.find("changerequests/agenda.css")).read()
    assert "@media print" in css and ".site-header" in css and "break-inside: avoid" in css


def test_agenda_csv_has_the_ranked_rows(p, four, client_for):
    response = client_for(p["bits"]).get(reverse("changerequests:agenda_csv"),
                                         {"dato": MEETING.isoformat()})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Rangering", "Referanse", "Tittel"]
    assert [(r[0], r[2], r[7], r[10]) for r in rows[1:]] == [
        ("1", "A", "4", "100,0"), ("2", "C", "1", "22,5")]


@pytest.mark.parametrize(("value", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+47 22", "'+47 22"),
    ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tTAB", "'\tTAB"), ("\rCR", "'\rCR"),
    ("Vanlig tekst", "Vanlig tekst"), ("", ""), (None, ""),
])
def test_csv_cells_that_start_like_a_formula_are_text(value, safe):
    assert csv_safe(value) == safe


def test_agenda_csv_neutralises_formulas_in_what_banks_wrote(p, client_for):
    request = b.opened(p, title="=cmd|' /C calc'!A0", problem="@SUM(1+1)")
    services.change_request_assess(request=request, by=p["bits"], forum_meeting_on=MEETING)
    response = client_for(p["bits"]).get(reverse("changerequests:agenda_csv"),
                                         {"dato": MEETING.isoformat()})
    row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")),
                          delimiter=";"))[1]
    assert row[2] == "'=cmd|' /C calc'!A0"
    assert row[11] == "'@SUM(1+1)"
