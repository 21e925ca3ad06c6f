"""Roles: declared per world and per own-data folder, checked against the dictionary, with clear errors."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxlib import datasets, roles
from cxlib.mapping import parse_mapping

OWN = "examples/own_data"


@pytest.mark.parametrize("world", datasets.WORLDS)
def test_every_declared_role_names_columns_its_table_has(world):
    r = roles.of(world)
    declared = datasets.dictionary(world)["roles"]
    for name in roles.ROLE_NAMES:
        role = getattr(r, name)
        if role is None:
            continue
        spec = datasets.table_spec(world, role.table)
        assert set(role.columns()) <= set(spec.columns), name
        assert role.table == declared[name]["table"]
    for link in r.links:
        assert link.from_column in datasets.table_spec(world, link.from_table).columns
        assert link.to_column in datasets.table_spec(world, link.to_table).columns


def test_hotel_survey_role_reads_the_dictionary():
    s = roles.of("hotel").survey
    assert (s.table, s.nps, s.satisfaction, s.effort) == ("survey", "nps", "overall_sat", "ces")
    assert s.touchpoint_columns[0] == "tp_booking" and s.touchpoint_columns[-1] == "tp_checkout"
    assert s.touchpoint_labels("zh")["tp_room"] == "客房清洁"
    assert s.touchpoints[1].key == "checkin"


def test_kano_and_servqual_roles_name_their_columns_and_labels():
    k = roles.of("hotel").kano
    assert k.feature_ids == datasets.table_spec("hotel", "kano").kano_features
    assert k.functional["wifi"] == "wifi_func" and k.importance["wifi"] == "wifi_imp"
    assert k.feature_labels("zh")["wifi"] == "无线网络"
    q = roles.of("ecommerce").servqual
    assert q.table == "esqual" and q.name == "E-S-QUAL"
    assert q.perception_columns("privacy") == ("p20", "p21", "p22")
    assert q.expectation_columns("system_availability") == ("e09", "e10", "e11", "e12")
    assert q.points["fulfilment"] == "w_fulfilment"
    assert q.item_wording("en")[5] == "It loads its pages fast."
    assert q.dimension_label("fulfilment", "zh") == "履约"
    h = roles.of("hotel").servqual
    assert h.instrument["responsiveness"] == (10, 11, 12, 13)
    assert h.item_wording("en")[1]  # the SERVQUAL wording of the label catalogue


def test_new_roles_of_both_worlds():
    h, s = roles.of("hotel"), roles.of("ecommerce")
    assert h.events.table == "booking_events" and h.events.step_ids[-1] == "confirmation"
    assert h.events.feature == "express_pay" and h.events.rating == "app_rating"
    assert h.complaints.first_response == "first_response_h" and s.complaints.table == "support"
    assert h.experiment.treatment == "new_flow" and h.experiment.pre == "pre_checkin_min"
    assert s.experiment.outcome == "converted" and s.experiment.pre == "pre_revenue_90d"
    assert h.releases.name_column("zh") == "name_zh"


def test_shop_roles_differ_from_the_hotel():
    r = roles.of("ecommerce")
    assert r.survey.satisfaction == "csat"
    assert r.events.step_ids == ("home", "search", "product", "cart", "checkout", "payment", "order")
    assert r.events.step_labels("zh")["payment"] == "支付"
    assert r.transactions.amount == "amount" and r.transactions.time == "order_time"
    assert r.outcomes is None


def test_require_returns_roles_and_names_what_is_missing():
    r = roles.of("hotel", OWN)
    survey = r.require("survey")
    assert survey.table == "survey"
    got = r.require("survey", "reviews")
    assert [g.table for g in got] == ["survey", "reviews"]
    with pytest.raises(roles.RoleError, match=r"needs survey, kano.*kano: needs table 'kano' with columns respondent_id.*no file for table 'kano'"):
        r.require("survey", "kano")
    assert r.available("survey") and not r.available("kano")
    with pytest.raises(ValueError, match="unknown role 'surveys'"):
        r.available("surveys")


def test_own_data_mapping_roles_override_and_declare_absence():
    r = roles.of("hotel", OWN)
    assert r.survey.segments == ("property_id",)
    assert r.survey.nps == "nps"  # merged with the hotel dictionary's role
    assert r.customers is None
    assert "declares that this data has none" in r.missing("customers")["customers"]
    assert r.transactions.table == "stays"  # the stays export is provided
    assert all(k.from_table in {"survey", "stays", "reviews"} for k in r.links)
    assert r.link("survey", "stays").to_column == "stay_id"


def test_mapping_roles_with_an_unknown_column_are_rejected(tmp_path):
    (tmp_path / "mapping.yml").write_text("dataset: hotel\nroles:\n  survey: {nps: recommend}\n", encoding="utf-8")
    (tmp_path / "survey.csv").write_text("response_id\n", encoding="utf-8")
    with pytest.raises(roles.RoleError, match=r"role 'survey' names column\(s\) recommend"):
        roles.of("hotel", tmp_path)


def test_mapping_roles_with_an_unknown_role_or_key_are_rejected():
    meta = datasets.dictionary("hotel")
    with pytest.raises(roles.RoleError, match="unknown role 'funnel'"):
        roles.parse_roles({"funnel": {"table": "stays"}}, meta, "m.yml")
    with pytest.raises(roles.RoleError, match=r"unknown key\(s\) 'score'"):
        roles.parse_roles({"survey": {"table": "survey", "score": "nps"}}, meta, "m.yml")
    with pytest.raises(roles.RoleError, match="needs 'table'"):
        roles.parse_roles({"survey": {"nps": "nps"}}, meta, "m.yml")
    with pytest.raises(roles.RoleError, match="from: table.column"):
        roles.parse_roles({"links": [{"from": "survey"}]}, meta, "m.yml")


def test_mapping_file_accepts_a_roles_section_but_not_other_keys():
    m = parse_mapping("dataset: hotel\nroles: {survey: null}\n")
    assert m.roles == {"survey": None}
    with pytest.raises(Exception, match="unknown top-level key"):
        parse_mapping("dataset: hotel\nrole: {}\n")


def test_roles_are_frozen():
    r = roles.of("hotel")
    with pytest.raises(AttributeError):
        r.survey.nps = "x"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(sorted(datasets.dictionary("hotel")["tables"]))))
def test_a_role_is_available_exactly_when_its_table_is_provided(tmp_path_factory, provided):
    folder = tmp_path_factory.mktemp("own")
    for table in provided:
        (folder / f"{table}.csv").write_text("x\n", encoding="utf-8")
    r = roles.of("hotel", folder)
    declared = datasets.dictionary("hotel")["roles"]
    for name in roles.ROLE_NAMES:
        if name in declared:
            assert r.available(name) == (declared[name]["table"] in provided), name
    assert all(k.from_table in provided and k.to_table in provided for k in r.links)
    if r.missing():
        with pytest.raises(roles.RoleError, match="has no file for table"):
            r.require(*r.missing())
