"""Claim extraction: claimants, attribution, event types, sides, denials, dates, quantities, places and evidence."""

import datetime as dt
import re

import polars as pl
import pytest

from pipelines.claims.extract import extract_claims
from pipelines.claims.lexicon import StemmedPattern, leading_stems, lexicon, read_seed
from pipelines.claims.registry import SourceRegistry, url_key
from pipelines.schemas import EVENT_TYPES, POLARITIES, Claims, Sources, validated

PLACES = ["Vodiane", "Vodyane", "Kharkiv", "Popasna", "Kreminna", "Kupiansk", "Izium", "Sloviansk", "Mariupol", "Bakhmut"]


def extract(text: str, published: str = "2022-05-07", outlet: str | None = None):
    """Claims of one report whose place mentions are the known names above (place_id = the name)."""
    reports = pl.DataFrame(
        {
            "report_id": ["r1"],
            "text": [text],
            "published_at": [dt.datetime.fromisoformat(published).replace(tzinfo=dt.timezone.utc)],
            "outlet": [outlet],
            "url": [None],
        }
    )
    mentions = [
        {"report_id": "r1", "char_start": m.start(), "char_end": m.end(), "place_id": m.group()}
        for name in PLACES
        for m in re.finditer(rf"\b{name}\b", text)
    ]
    frame = pl.DataFrame(mentions, schema={"report_id": pl.String, "char_start": pl.Int64, "char_end": pl.Int64, "place_id": pl.String})
    sources, claims, claim_places = extract_claims(reports, frame)
    places = claim_places.group_by("claim_id").agg(pl.col("place_id").sort().alias("places"))
    return sources, claims.join(places, on="claim_id", how="left").sort("char_start", "event_type")


def rows(claims: pl.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(row) for row in claims.select(columns).iter_rows()]


def test_registered_claimant_before_the_verb_governs_what_follows():
    _, claims = extract("Russian forces shelled Kharkiv. The Ukrainian General Staff reported that Russian forces captured Vodiane on May 6.")
    assert rows(claims, "source_id", "event_type", "actor_side", "places") == [
        (None, "strike", "RU", ["Kharkiv"]),
        ("ua_general_staff", "capture", "RU", ["Vodiane"]),
    ]
    capture = claims.row(1, named=True)
    assert capture["cue"] == "reported"
    assert (capture["event_date"], capture["date_precision"]) == (dt.date(2022, 5, 6), "day")
    assert capture["text"].startswith("Russian forces captured Vodiane")


def test_claimant_after_the_clause_and_according_to():
    _, claims = extract("Russian artillery struck Kharkiv overnight, Synegubov said. According to the Russian MoD, Russian troops advanced 14km near Izium.")
    assert rows(claims, "source_id", "event_type", "quantity", "quantity_unit") == [
        ("ua_syniehubov", "strike", None, None),
        ("ru_mod", "advance", 14.0, "km"),
    ]


def test_each_claimant_of_a_shared_statement_gets_a_claim():
    _, claims = extract("The LNR and pro-Russian Telegram channels claimed that Russian forces captured Popasna on May 7.")
    assert sorted(rows(claims, "source_id", "event_type")) == [("generic_lnr", "capture"), ("generic_ru_sources", "capture")]


def test_pronouns_and_elided_subjects_refer_back_to_the_last_claimant():
    text = (
        "The Ukrainian General Staff reported that Ukrainian forces repelled five attacks near Izium and claimed to have "
        "destroyed ten tanks. It also said that Russian forces shelled Sloviansk."
    )
    _, claims = extract(text)
    assert rows(claims, "source_id", "event_type", "actor_side") == [
        ("ua_general_staff", "repelled", "UA"),
        ("ua_general_staff", "casualties", "UA"),
        ("ua_general_staff", "strike", "RU"),
    ]
    assert claims.filter(pl.col("event_type") == "casualties")["places"].to_list() == [["Izium"]]


def test_a_cue_after_and_has_the_subject_of_the_clause_before():
    text = (
        "The Ukrainian General Staff reported that Russian forces attacked Popasna (a town far from Kyiv) and later "
        "stated that Russian forces are resuming the Sloviansk offensive. Russian forces will likely resume the offensive on Izium."
    )
    _, claims = extract(text)
    assert rows(claims, "source_id", "event_type", "places") == [
        ("ua_general_staff", "assault", ["Popasna"]),
        ("ua_general_staff", "assault", ["Sloviansk"]),
    ]


def test_denials_and_lost_no_ground():
    _, claims = extract("Russia denied striking the theatre in Mariupol. Ukrainian forces lost no ground near Bakhmut. Russian forces did not capture Popasna.")
    assert rows(claims, "source_id", "event_type", "polarity") == [
        ("ru_kremlin", "strike", "denied"),
        (None, "holding", "asserted"),
        (None, "capture", "denied"),
    ]


def test_forecasts_and_purposes_are_not_claims():
    _, claims = extract(
        "Russian forces will likely attack Sloviansk in the coming days. If Russian forces capture Popasna, they may advance on Bakhmut. "
        "ISW cannot independently assess whether these claims of attacks are genuine partisan activity near Kharkiv."
    )
    assert claims.height == 0



def test_a_cue_after_and_governs_what_follows_it_not_the_clause_before():
    _, claims = extract(
        "Russian forces continued assaults on Mariupol on March 17, and the Ukrainian General Staff reported Russian forces "
        "are carrying out the “total destruction of civilian infrastructure” in the city."
    )
    assert rows(claims, "source_id", "event_type") == [(None, "assault"), ("ua_general_staff", "civilian_harm")]


def test_a_finite_verb_after_and_is_outside_the_purpose_before_it():
    _, claims = extract(
        "Russian forces continued efforts to advance and made marginal gains north of Sloviansk on June 9. "
        "Russian forces will likely attempt to encircle Izium and capture Popasna. Russian forces continued to fire on Kharkiv."
    )
    assert rows(claims, "event_type", "places") == [("advance", ["Sloviansk"]), ("assault", ["Sloviansk"]), ("strike", ["Kharkiv"])]

def test_a_repelled_assault_is_one_claim_of_the_repelling_side():
    _, claims = extract("Ukrainian forces repelled a Russian assault on Kupiansk. Russian losses near Izium were heavy.")
    assert rows(claims, "event_type", "actor_side") == [("repelled", "UA"), ("casualties", "UA")]


def test_a_body_of_a_registered_source_named_with_its_abbreviation_in_brackets():
    sources, claims = extract("The Internal Ministry of the Luhansk People’s Republic (LNR) stated that its personnel are operating in Popasna.")
    found = sources.filter(pl.col("origin") == "text").row(0, named=True)
    assert (found["name"], found["affiliation"]) == ("Internal Ministry of the Luhansk People’s Republic", "RU")
    assert rows(claims, "source_id") == [(found["source_id"],)]


def test_a_registered_name_with_its_abbreviation_in_brackets_is_one_registered_claimant():
    sources, claims = extract(
        "According to the statement by the Army General Staff (AGS), its forces lost no ground near Popasna. "
        "Ukraine’s Ministry of Emergency Situations (UMES) reported Russian shell strikes on Kharkiv."
    )
    assert rows(claims, "source_id") == [("ua_general_staff",), ("ua_ses",)]
    assert sources.filter(pl.col("origin") == "text").height == 0


def test_an_unnamed_informant_is_a_claimant_of_its_own():
    sources, claims = extract("Russian planes bombed Kharkiv on Sunday, a source close to the case said.")
    found = sources.filter(pl.col("origin") == "text").row(0, named=True)
    assert (found["source_type"], found["aliases"]) == ("unspecified", ["a source close to the case"])
    assert rows(claims, "source_id", "event_type") == [(found["source_id"], "strike")]


def test_unregistered_sources_are_typed_from_their_context():
    sources, claims = extract(
        "Russian milblogger Ivan Petrovskiy claimed that Russian forces captured Kreminna. "
        "The Kharkiv Defence Council (KDC) said Russian forces shelled Kharkiv. KDC later reported that Russian forces shelled Izium."
    )
    found = {r["source_id"]: r for r in sources.filter(pl.col("origin") == "text").iter_rows(named=True)}
    petrovskiy = found["text:ivan_petrovskiy"]
    assert (petrovskiy["name"], petrovskiy["source_type"], petrovskiy["affiliation"]) == ("Ivan Petrovskiy", "milblogger", "RU")
    council = [r for r in found.values() if "KDC" in (r["aliases"] or [])]
    assert len(council) == 1 and council[0]["name"] == "Kharkiv Defence Council"
    assert rows(claims, "source_id", "places") == [
        ("text:ivan_petrovskiy", ["Kreminna"]),
        (council[0]["source_id"], ["Kharkiv"]),
        (council[0]["source_id"], ["Izium"]),
    ]


def test_a_located_claimant_and_one_joined_to_a_registered_source_are_claimants_of_their_own():
    sources, claims = extract(
        "Local Ukrainian officials in Kryvyi Rih reported that Russian forces shelled Kharkiv. "
        "Russian-backed authorities in the occupied cities of Berdyansk and Melitopol claimed that Ukrainian forces shelled Izium. "
        "A Ukrainian official in Kherson said Russian forces shelled Popasna. "
        "The Ukrainian General Staff and local Kharkiv authorities reported continued Russian shelling of Kreminna."
    )
    found = {r["name"]: r for r in sources.filter(pl.col("origin") == "text").iter_rows(named=True)}
    local = found["Local Ukrainian officials in Kryvyi Rih"]
    assert (local["source_type"], local["affiliation"]) == ("government", "UA")
    occupation = found["Russian-backed authorities in the occupied cities of Berdyansk and Melitopol"]
    assert (occupation["source_type"], occupation["affiliation"]) == ("occupation_official", "RU")
    assert "Kryvyi Rih" not in found and "Melitopol" not in found and "Kherson" not in found
    assert rows(claims, "source_id", "places") == [
        (local["source_id"], ["Kharkiv"]),
        (occupation["source_id"], ["Izium"]),
        ("generic_ua_officials", ["Popasna"]),
        ("ua_general_staff", ["Kreminna"]),
        (found["local Kharkiv authorities"]["source_id"], ["Kreminna"]),
    ]


def test_headline_speakers_after_emoji_lost_personnel_and_no_other_beside_a_known_event():
    sources, claims = extract(
        "⚡️ BBC: Russia has lost over 900 elite military personnel near Kharkiv. "
        "The Kupiansk City Council reported that Russian forces conducted MLRS attacks and reconnaissance operations near Izium. "
        "Russian forces deployed 30 tanks to long-term firing points in Popasna."
    )
    council = sources.filter(pl.col("origin") == "text").row(0, named=True)
    assert council["name"] == "Kupiansk City Council"
    assert rows(claims, "source_id", "event_type", "actor_side", "places") == [
        ("bbc", "casualties", "UA", ["Kharkiv"]),
        (council["source_id"], "strike", "RU", ["Izium"]),
        (None, "reinforcement", "RU", ["Popasna"]),
    ]


def test_an_ied_is_a_strike_and_surrounding_settlements_no_assault():
    _, claims = extract(
        "The Ukrainian Resistance Center reported that an unidentified partisan detonated an IED in Mariupol. "
        "Russian forces shelled the center of Kharkiv and surrounding settlements."
    )
    assert rows(claims, "source_id", "event_type", "places") == [
        ("ua_resistance_center", "strike", ["Mariupol"]),
        (None, "strike", ["Kharkiv"]),
    ]


def test_a_claim_without_places_takes_its_claimants_before_the_last_sentences():
    sources, claims = extract(
        "Russian forces shelled Izium. Local Ukrainian officials in Kharkiv reported that Russian forces carried out "
        "unsuccessful attacks on the city. Ukrainian forces conducted a successful counterattack to regain control of Popasna."
    )
    local = sources.filter(pl.col("origin") == "text").row(0, named=True)
    assert rows(claims, "source_id", "event_type", "actor_side", "places") == [
        (None, "strike", "RU", ["Izium"]),
        (local["source_id"], "assault", "RU", ["Kharkiv"]),
        (None, "capture", "UA", ["Popasna"]),
    ]


def test_defensive_fighting_and_control_are_holding_and_no_ground_attacks_no_assault():
    _, claims = extract(
        "The Ukrainian General Staff reported that Russian forces are fighting to prevent Ukrainian troops from advancing toward Izium. "
        "Russian engineers improved defensive positions around Kreminna. The LNR controls all of Popasna. "
        "Russian forces did not make any confirmed ground attacks near Bakhmut."
    )
    assert rows(claims, "source_id", "event_type", "polarity", "actor_side", "places") == [
        ("ua_general_staff", "holding", "asserted", "RU", ["Izium"]),
        (None, "holding", "asserted", "RU", ["Kreminna"]),
        (None, "holding", "asserted", "RU", ["Popasna"]),
        (None, "assault", "denied", "RU", ["Bakhmut"]),
    ]


def test_a_participle_cue_after_a_comma_takes_the_clauses_subject_and_a_concession_is_the_reports():
    _, claims = extract(
        "Ukrainian General Staff officers spoke on Monday. Petro Andriushchenko expanded on this, stating that Russian "
        "forces shelled Mariupol. The Kremlin declared victory in the battle of Kharkiv, though some Ukrainian forces "
        "remain in Kharkiv."
    )
    andriushchenko = claims.filter(pl.col("event_type") == "strike").row(0, named=True)
    assert andriushchenko["source_id"] not in (None, "ua_general_staff") and andriushchenko["places"] == ["Mariupol"]
    assert rows(claims.filter(pl.col("event_type") != "strike"), "source_id", "event_type", "actor_side") == [
        ("ru_kremlin", "capture", "RU"),
        (None, "holding", "UA"),
    ]


def test_titled_coclaimants_full_control_surrender_and_harm_reported_by_its_victims():
    _, claims = extract(
        "Russian President Vladimir Putin and Defense Minister Sergey Shoigu claimed full control of Mariupol as the last "
        "Ukrainian fighters surrendered. Ukrainian Ombudsman Lyudmila Denisova stated that up to 4,000 men from Kharkiv "
        "are now in filtration camps."
    )
    assert rows(claims, "source_id", "event_type", "actor_side", "places") == [
        ("ru_putin", "capture", "RU", ["Mariupol"]),
        ("ru_shoigu", "capture", "RU", ["Mariupol"]),
        ("ru_putin", "withdrawal", "UA", ["Mariupol"]),
        ("ru_shoigu", "withdrawal", "UA", ["Mariupol"]),
        ("ua_denisova", "civilian_harm", "RU", ["Kharkiv"]),
    ]


def test_citation_markers_give_evidence_and_name_a_generic_claimant():
    text = (
        "A Russian source claimed that Russian forces captured Kreminna.[1] Ukrainian forces shelled Izium.[2]\n\n"
        "[1] https://t.me/rybar/3310.\n\n[2] https://www.facebook.com/GeneralStaff.ua/posts/1; https://twitter.com/x/status/2."
    )
    _, claims = extract(text)
    assert rows(claims, "source_id", "evidence_urls") == [
        ("rybar", ["https://t.me/rybar/3310"]),
        (None, ["https://www.facebook.com/GeneralStaff.ua/posts/1", "https://twitter.com/x/status/2"]),
    ]


def test_a_direct_quote_speaks_for_the_speaker_named_after_it():
    text = "Zelensky spoke on Monday.\n\n“Our forces repelled the attack on Kupiansk. We hold Bakhmut,” he said."
    _, claims = extract(text)
    assert {(r[0], r[1]) for r in rows(claims, "source_id", "event_type")} == {("ua_zelensky", "repelled"), ("ua_zelensky", "holding")}


def test_an_event_with_no_actor_of_its_own_shares_the_actor_before_it():
    _, claims = extract("Russians bombed Popasna for two days, killing many civilians. Aggressor has shelled an orphanage in Izium.")
    assert rows(claims, "event_type", "actor_side", "places") == [
        ("civilian_harm", "RU", ["Popasna"]),
        ("strike", "RU", ["Popasna"]),
        ("strike", "RU", ["Izium"]),
    ]


def test_the_side_before_a_trigger_noun_is_its_actor_and_the_side_after_against_its_target():
    _, claims = extract(
        "Ukrainian forces inflicted heavy losses on a Russian attack on Popasna. "
        "Russian forces fought around Izium and conducted air, artillery, and missile strikes against Ukrainian positions."
    )
    assert rows(claims, "event_type", "actor_side") == [("assault", "RU"), ("casualties", "UA"), ("assault", "RU"), ("strike", "RU")]


def test_a_side_s_country_where_it_happened_and_the_side_a_relative_clause_hangs_on():
    _, claims = extract(
        "There were explosions in Kharkiv and other cities in Ukraine. Fifty drones were shot down over Ukraine. "
        "A Ukrainian girl survived the occupiers who tried to kill her by shelling Kramatorsk."
    )
    assert rows(claims, "event_type", "actor_side") == [("strike", "RU"), ("casualties", "UA"), ("civilian_harm", "RU")]
    _, claims = extract(
        "WHO registered 700 attacks on healthcare facilities in Ukraine. Many were killed in the southern Ukrainian "
        "city of Mariupol, the port city that Russian troops destroyed and now occupy."
    )
    assert rows(claims, "event_type", "actor_side") == [("strike", "RU"), ("capture", "RU"), ("civilian_harm", "RU"), ("strike", "RU")]


def test_a_strike_a_government_reports_without_its_actor_fell_on_its_side_a_military_s_is_its_own():
    _, claims = extract(
        "Mayor Vitali Klitschko said the explosions took place in the centre of Kharkiv. The Russian MoD said that "
        "high-precision strikes hit Izium. Ukrainian sources reported that Russian forces shelled Popasna."
    )
    assert rows(claims, "source_id", "event_type", "actor_side") == [
        ("ua_klitschko", "strike", "RU"),
        ("ru_mod", "strike", "RU"),
        ("generic_ua_sources", "strike", "RU"),
    ]


def test_harm_whose_actor_goes_unnamed_was_done_by_the_paragraph_s_last_actor():
    _, claims = extract("Russian forces shelled Kharkiv. Twenty people were killed in Kharkiv.\n\nFive people died in Izium.")
    assert rows(claims, "event_type", "actor_side", "places") == [
        ("strike", "RU", ["Kharkiv"]),
        ("civilian_harm", "RU", ["Kharkiv"]),
        ("civilian_harm", None, ["Izium"]),
    ]


def test_harm_to_civilians_in_the_author_s_own_voice_befalls_the_author_s_side():
    text = "Two children and their parents were killed in Popasna."
    _, by_zelensky = extract(text, outlet="Volodymyr Zelensky")
    _, unknown = extract(text)
    assert rows(by_zelensky, "source_id", "event_type", "actor_side") == [(None, "civilian_harm", "RU")]
    assert rows(unknown, "actor_side") == [(None,)]


def test_a_russian_formation_designation_names_the_side():
    _, claims = extract("The Ukrainian General Staff reported that elements of the 4th Tank Division are deployed near Izium.")
    assert rows(claims, "source_id", "event_type", "actor_side") == [("ua_general_staff", "reinforcement", "RU")]


def test_the_war_as_a_whole_is_no_claimed_event():
    _, claims = extract("Its forces have killed many civilians in Popasna in its assault on Ukraine, now entering its fourth week.")
    assert rows(claims, "event_type") == [("civilian_harm",)]


def test_a_hedge_after_an_event_noun_and_a_heading_s_objective_are_not_claims():
    _, claims = extract(
        "Southern axis: (Objective: Defend Kherson against Ukrainian counterattacks)\n\n"
        "Additional reinforcements near Izium are unlikely to enable a breakthrough. The advance to the southwest may be part of a wider effort. "
        "Russian forces captured Popasna and will likely be able to advance."
    )
    assert rows(claims, "event_type", "places") == [("capture", ["Popasna"])]


def test_a_clause_goes_on_after_a_parenthesis():
    _, claims = extract("Elements of the Russian 4th Army (reportedly at full strength, with new tanks) are moving in the direction of Izium.")
    assert rows(claims, "event_type", "actor_side", "places") == [("reinforcement", "RU", ["Izium"])]


def test_a_school_burned_down_is_harm_to_civilians():
    _, claims = extract("The oldest gymnasium of Popasna burned down after shelling, Serhiy Haidai said.")
    assert rows(claims, "source_id", "event_type", "places") == [("ua_haidai", "civilian_harm", ["Popasna"]), ("ua_haidai", "strike", ["Popasna"])]


def test_a_headline_restated_in_the_body_is_one_claim():
    _, claims = extract("Russian forces shelled Kharkiv\nRussian troops shelled Kharkiv again, killing two civilians.")
    assert rows(claims, "event_type") == [("strike",), ("civilian_harm",)]


def test_a_body_that_places_the_headline_s_claim_replaces_it():
    _, claims = extract("Russian troops shelled a convoy of refugees\n\nNear Popasna, Russian artillery shelled a convoy of civilians.")
    assert rows(claims, "event_type", "places", "text") == [("strike", ["Popasna"], "Near Popasna, Russian artillery shelled a convoy of civilians")]


def test_sentences_of_a_paragraph_citing_different_notes_are_different_claims():
    cited = "Russian forces shelled positions north of Kharkiv.[1] Russian artillery hit settlements around Kharkiv.[2]"
    uncited = "Russian forces shelled positions north of Kharkiv. Russian artillery hit settlements around Kharkiv."
    assert rows(extract(cited)[1], "event_type") == [("strike",), ("strike",)]
    assert rows(extract(uncited)[1], "event_type") == [("strike",)]


def test_each_clause_with_an_actor_of_its_own_is_a_claim_with_its_own_places():
    _, claims = extract(
        "Russian artillery shelled Kharkiv, and Russian aircraft conducted strikes near Izium. "
        "Russian forces attacked Popasna, and Ukrainian forces repelled an assault near Sloviansk. Russian forces shelled Kharkiv, Izium, and Popasna."
    )
    assert rows(claims, "event_type", "actor_side", "places") == [
        ("strike", "RU", ["Kharkiv"]),
        ("strike", "RU", ["Izium"]),
        ("assault", "RU", ["Popasna"]),
        ("repelled", "UA", ["Sloviansk"]),
        ("strike", "RU", ["Izium", "Kharkiv", "Popasna"]),
    ]


def test_a_passive_cue_names_no_claimant_and_again_is_a_new_event():
    _, claims = extract(
        "Most shelling by Russian forces was recorded near Izium. Russian forces shelled Kharkiv on March 17. "
        "As firefighters worked, the Russian troops fired again. In Popasna four civilians are killed."
    )
    assert rows(claims, "source_id", "event_type", "places") == [
        (None, "strike", ["Izium"]),
        (None, "strike", ["Kharkiv"]),
        (None, "strike", ["Kharkiv"]),
        (None, "civilian_harm", ["Popasna"]),
    ]


def test_combined_arms_attacks_partial_success_efforts_on_capturing_and_denied_operations():
    _, claims = extract(
        "Russian forces continued ground, air, and artillery attacks east of Bakhmut. Multiple sources report that "
        "Russian troops had partial success in Popasna. The General Staff reported Russian forces concentrated their "
        "efforts on capturing Izium. The General Staff reported that the Russians had not conducted operations near Kharkiv."
    )
    assert rows(claims, "source_id", "event_type", "polarity", "places") == [
        (None, "assault", "asserted", ["Bakhmut"]),
        ("generic_multiple_sources", "advance", "asserted", ["Popasna"]),
        ("ua_general_staff", "assault", "asserted", ["Izium"]),
        ("ua_general_staff", "assault", "denied", ["Kharkiv"]),
    ]


def test_losses_inflicted_and_suffered_and_claimants_sharing_a_noun():
    _, claims = extract(
        "Ukrainian forces destroyed 10 Russian tanks near Izium. Russian forces lost 10 tanks near Kharkiv. "
        "Russian forces killed 3 Ukrainian soldiers near Popasna. Multiple Ukrainian and Western reports indicate "
        "that Russian forces are moving back from Mariupol."
    )
    assert rows(claims, "source_id", "event_type", "actor_side", "places") == [
        (None, "casualties", "UA", ["Izium"]),
        (None, "casualties", "UA", ["Kharkiv"]),
        (None, "casualties", "RU", ["Popasna"]),
        ("generic_ua_sources", "withdrawal", "RU", ["Mariupol"]),
        ("generic_western_media", "withdrawal", "RU", ["Mariupol"]),
    ]


def test_executions_committed_troops_and_a_sunk_ship():
    _, claims = extract(
        "Russian paratroopers rounded up and executed at least eight men in Kharkiv. Haidai said Russian forces "
        "already committed over 10,000 troops to Popasna. Ukrainian forces sank a Russian ship near Mariupol."
    )
    assert rows(claims, "event_type", "actor_side", "places") == [
        ("civilian_harm", "RU", ["Kharkiv"]),
        ("reinforcement", "RU", ["Popasna"]),
        ("casualties", "UA", ["Mariupol"]),
    ]


def test_one_civilian_killed_people_driven_out_and_the_agent_of_a_passive_acts():
    _, claims = extract(
        "Russian occupiers killed a civilian near Kharkiv. Russian troops in Popasna are driving local people into "
        "fake corridors. Ukrainian positions in Mariupol were shelled by Russian artillery. Ukrainian forces "
        "repelled attacks by Russian troops near Kharkiv."
    )
    assert rows(claims, "event_type", "actor_side", "places") == [
        ("civilian_harm", "RU", ["Kharkiv"]),
        ("civilian_harm", "RU", ["Popasna"]),
        ("strike", "RU", ["Mariupol"]),
        ("repelled", "UA", ["Kharkiv"]),
    ]


def test_control_stated_units_operating_street_fights_and_air_support():
    _, claims = extract(
        "Haidai said Russian forces only control Popasna. Haidai said elements of the Russian 12th Brigade are operating "
        "near Kharkiv. Russian forces continued street fights within Mariupol. Russian aircraft are conducting "
        "close-air-support missions near Izium."
    )
    assert rows(claims, "source_id", "event_type", "places") == [
        ("ua_haidai", "holding", ["Popasna"]),
        ("ua_haidai", "reinforcement", ["Kharkiv"]),
        (None, "assault", ["Mariupol"]),
        (None, "strike", ["Izium"]),
    ]


def test_a_surname_alone_names_the_person_named_in_full_before():
    _, claims = extract(
        "Kim stated that Russian forces shelled Kharkiv. Mykolaiv Oblast Governor Vitaliy Kim said Russian forces only "
        "control Popasna. Kim stated that Russian forces continue to shell Mariupol."
    )
    assert rows(claims, "source_id", "places") == [(None, ["Kharkiv"]), ("ua_kim", ["Popasna"]), ("ua_kim", ["Mariupol"])]


def test_a_registered_channels_handle_names_its_source():
    _, claims = extract("Russian forces captured Popasna, @mod_russia reports. Russian forces shelled Kharkiv, @unknown_chan reports.")
    assert rows(claims, "source_id", "places") == [("ru_mod", ["Popasna"]), (None, ["Kharkiv"])]


def test_a_speaker_after_the_cue_and_circumstances_after_a_postposed_cue():
    sources, claims = extract(
        'Russian forces shelled Kharkiv, said Governor Oleh Synehubov. "Russian troops captured Popasna," - said '
        "graduate Yana Goncharenko. The theatre in Mariupol was hit by a Russian air strike, Culture Minister Dario "
        "Franceschini said on Thursday after a cabinet meeting."
    )
    assert rows(claims, "source_id", "event_type", "places") == [
        ("ua_syniehubov", "strike", ["Kharkiv"]),
        ("text:yana_goncharenko", "capture", ["Popasna"]),
        ("text:culture_minister_dario_franceschini", "strike", ["Mariupol"]),
    ]


def test_a_speaker_named_after_the_cue_wins_over_the_headline_speaker_carried():
    _, claims = extract(
        "Zaluzhnyi: Ukraine liberates 41 settlements near Izium. Ukrainian forces shelled Kharkiv, said Governor "
        "Oleh Synehubov. The war began with the occupation of Mariupol, said Valerii Zaluzhnyi."
    )
    assert rows(claims, "source_id", "event_type", "places") == [
        ("ua_cinc_zaluzhnyi", "capture", ["Izium"]),
        ("ua_syniehubov", "strike", ["Kharkiv"]),
        ("ua_cinc_zaluzhnyi", "capture", ["Mariupol"]),
    ]


def test_a_name_and_its_title_set_off_by_commas_name_the_claimant():
    sources, claims = extract(
        "The Mayor of Irpin, Oleksandr Markushin, stated that Russian forces shelled Kharkiv. Petro Andryushchenko, an "
        "advisor to Mariupol's mayor, reported that Russian forces shelled Mariupol. Another milblogger, Alexander "
        "Khodarkovsky, claimed that Russian forces captured Popasna. Russian forces shelled Izium, Bakhmut, said the governor."
    )
    assert rows(claims, "source_id", "places")[:3] == [
        ("text:oleksandr_markushin", ["Kharkiv"]),
        ("ua_andryushchenko", ["Mariupol"]),
        ("text:alexander_khodarkovsky", ["Popasna"]),
    ]
    # A list of places before the cue is no name and title.
    assert not any(source_id.endswith(("izium", "bakhmut")) for source_id in sources["source_id"])
    typed = dict(zip(sources["source_id"], sources["source_type"]))
    assert typed["text:alexander_khodarkovsky"] == "milblogger"


def test_a_noun_or_verb_cue_closing_its_sentence_and_a_sentence_ending_in_a_name_before_a_colon():
    sources, claims = extract(
        "Russian forces shelled Mariupol, Poland's Ambassador to Ukraine Bartosz Cichocki claims. Russian forces shelled "
        "Kharkiv despite the false claims. Russian milbloggers were the first to publish images of a flag over Popasna."
        "\n\nFour letters can help Ukraine: repel the Russian offensive near Izium."
    )
    assert rows(claims, "source_id", "places") == [
        ("text:bartosz_cichocki", ["Mariupol"]),
        (None, ["Kharkiv"]),
        ("generic_ru_milbloggers", ["Popasna"]),
        (None, ["Izium"]),
    ]
    assert sources.filter(pl.col("source_id") == "text:bartosz_cichocki")["name"].to_list() == ["Bartosz Cichocki"]


def test_a_speaker_and_title_before_a_colon_and_an_acronym_only_in_capitals():
    _, claims = extract(
        "Those who reported the attack on Izium were arrested.\n\nSerhii Haidai, head of the Luhansk Regional state "
        "administration: “Russian forces shelled Popasna.” WHO registered more than 700 attacks on healthcare "
        "facilities in Kharkiv."
    )
    assert rows(claims, "source_id", "event_type", "places") == [
        (None, "assault", ["Izium"]),
        ("ua_haidai", "strike", ["Popasna"]),
        ("who", "strike", ["Kharkiv"]),
    ]


def test_mobilization_is_a_reinforcement_and_a_killed_baby_civilian_harm():
    _, claims = extract(
        "On September 21, Putin announced a partial mobilization in Kharkiv. Russia shelled a hospital in Izium, "
        "killing a newborn baby, @suspilne_news reports."
    )
    assert rows(claims, "source_id", "event_type", "places") == [
        ("ru_putin", "reinforcement", ["Kharkiv"]),
        ("ua_suspilne", "civilian_harm", ["Izium"]),
        ("ua_suspilne", "strike", ["Izium"]),
    ]


def test_tables_follow_the_contract():
    sources, claims = extract("Pro-Russian milbloggers claimed that Russian forces captured Popasna on May 7.")
    validated(Sources, sources)
    validated(Claims, claims.drop("places"))
    registry = SourceRegistry.from_seeds().sources
    assert sources.filter(pl.col("origin") == "registry").height == len(registry)
    assert claims["claim_id"].n_unique() == claims.height


def test_registry_names_handles_and_possessives():
    registry = SourceRegistry.from_seeds()
    text = "Ukraine’s General Staff and the Russian Defense Ministry’s statement"
    assert [m.source_id for m in registry.find(text)] == ["ua_general_staff", "ru_mod"]
    assert registry.from_url("https://t.me/s/rybar/123") == "rybar"
    assert registry.from_url("https://www.facebook.com/GeneralStaff.ua/posts/1") == "ua_general_staff"
    assert url_key("https://m.facebook.com/GeneralStaff.ua/") == "facebook.com/generalstaff.ua"


def test_every_trigger_row_has_its_fields():
    # A comma in an unquoted pattern ("{0,2}") shifts the row's fields and silently turns it into nonsense.
    for row in read_seed("event_triggers.csv"):
        assert row["event_type"] in [*EVENT_TYPES, "ignore"], row["pattern"]
        assert row["polarity"] in POLARITIES, row["pattern"]
        assert row["side_before"] in {"same", "opposite"} and row["side_after"] in {"same", "opposite", "other"}, row["pattern"]


def test_every_trigger_and_cue_has_a_literal_start():
    for row in read_seed("event_triggers.csv"):
        assert leading_stems([row["pattern"]])
    with pytest.raises(ValueError, match="literal characters"):
        leading_stems([r"\w+ing"])


def test_stemmed_search_finds_what_a_plain_search_finds():
    patterns = [row["pattern"] for row in read_seed("event_triggers.csv")]
    plain = re.compile("|".join(rf"(?<![\w-])(?P<p{i}>{p})(?![\w-])" for i, p in enumerate(patterns)), re.IGNORECASE)
    text = (
        "Russian forces did not make any advances near Izium and attempted to encircle Sloviansk, while Ukrainian forces "
        "repelled assaults, shelled positions, evacuated 300 civilians and took control of Kupiansk; the offensive combat "
        "power took place. Hit, hitting and hits; no casualties were reported."
    )
    stemmed = [(m.start(), m.end(), StemmedPattern.index(m)) for m in lexicon().triggers.finditer(text, 0, len(text))]
    expected = [(m.start(), m.end(), int(m.lastgroup[1:])) for m in plain.finditer(text)]
    assert stemmed == expected and len(stemmed) > 8


def test_a_headline_speaker_before_a_colon():
    _, claims = extract("Zelensky: our forces repelled the attack on Kupiansk\nKharkiv: Russian forces shelled Izium.")
    assert rows(claims, "source_id", "event_type") == [("ua_zelensky", "repelled"), (None, "strike")]


def test_a_source_several_reports_introduce_keeps_its_first_name_and_the_first_type_and_side_given():
    from pipelines.claims.extract import CLAIM_TABLES, DISCOVERED_SCHEMA, claim_tables
    from pipelines.schemas import ClaimPlaces, polars_schema

    discovered = pl.DataFrame(
        [
            ("r1", "text:oblast_head", "Oblast Head", ["the oblast head"], "unspecified", "unknown"),
            ("r2", "text:oblast_head", "oblast head", None, "government", "unknown"),
            ("r3", "text:oblast_head", "Oblast head", ["Head"], "military", "UA"),
            ("r4", "text:oblast_head", "OBLAST HEAD", None, "blogger", "RU"),
        ],
        schema=DISCOVERED_SCHEMA,
        orient="row",
    )
    rows = {name: pl.DataFrame() for name in CLAIM_TABLES}
    rows |= {
        "claims": pl.DataFrame(schema=polars_schema(Claims)),
        "claim_places": pl.DataFrame(schema={**polars_schema(ClaimPlaces), "report_id": pl.String}),
        "discovered_sources": discovered,
        "source_surfaces": pl.DataFrame(schema={"report_id": pl.String, "source_id": pl.String, "surface": pl.String}),
    }
    sources, _, _ = claim_tables(SourceRegistry.from_seeds(), rows)
    row = sources.filter(pl.col("source_id") == "text:oblast_head").to_dicts()[0]
    assert (row["name"], row["source_type"], row["affiliation"]) == ("Oblast Head", "government", "UA")
    assert row["aliases"] == ["the oblast head", "Head"]


def test_a_claimant_whose_words_hold_no_event_introduces_the_next_sentence():
    _, claims = extract(
        "The lie is refuted by the head of the Sumy regional military administration Dmytro Zhyvytskyi. "
        "Russian forces shelled a housing estate in Okhtyrka."
    )
    assert rows(claims, "source_id", "event_type", "polarity") == [("ua_zhyvytskyi", "strike", "asserted")]
    # Words with content of their own (a reported clause, a quote, a cited sentence) introduce nothing.
    for lead in (
        "Russian milbloggers claimed that the situation is stable.",
        "Zelensky said: “the situation is stable, and we are ready.”",
        "Social media users confirmed the account.[25]",
    ):
        _, claims = extract(f"{lead} Russian forces shelled a housing estate in Okhtyrka.")
        assert rows(claims, "source_id", "event_type") == [(None, "strike")], lead
    # A lead-in at the end of a longer paragraph does not reach into the next one.
    _, claims = extract("Russian forces shelled Izium. Social media users confirmed the account.\n\nUkrainian forces repelled an assault near Kharkiv.")
    assert rows(claims, "source_id", "event_type") == [(None, "strike"), (None, "repelled")]



def test_an_introduced_claimant_speaks_on_until_a_sentence_names_another():
    _, claims = extract(
        "The head of the Sumy regional military administration Dmytro Zhyvytskyi reported on the situation. "
        "Russian forces shelled a housing estate in Okhtyrka. Russian forces also attacked Izium. "
        "Ukrainian forces said they repelled an assault near Kharkiv."
    )
    assert rows(claims, "source_id", "event_type") == [("ua_zhyvytskyi", "strike"), ("ua_zhyvytskyi", "assault"), ("ua_armed_forces", "repelled")]


def test_a_detail_that_counts_what_its_topic_sentence_did_not_is_its_own_claim():
    _, claims = extract(
        "Russian forces continued artillery strikes on Kharkiv, destroying civilian infrastructure. "
        "At least 53 civilians were killed in Kharkiv by the shelling on May 6. Civilians were killed in Kharkiv."
    )
    harm = claims.filter(pl.col("event_type") == "civilian_harm")
    assert rows(harm, "quantity") == [(None,), (53.0,)]


def test_an_attack_made_with_artillery_is_a_strike_in_ukrainian_too():
    _, claims = extract("Сьогодні окупанти вкотре здійснили атаку з важкої артилерії по мешканцях Харкова.")
    assert rows(claims, "event_type") == [("strike",)]


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Russian forces captured half of Bakhmut.", "advance"),
        ("Stryuk said Russian forces have encircled approximately two-thirds of Kharkiv.", "advance"),
        ("Russian forces captured Bakhmut.", "capture"),
        ("Russian forces have only reached the outskirts of Izium.", "advance"),
        ("Izium residents said Russian forces reached the city's outskirts.", "advance"),
    ],
)
def test_a_share_of_a_place_taken_or_its_outskirts_reached_is_an_advance(text, event_type):
    _, claims = extract(text)
    assert rows(claims, "event_type") == [(event_type,)]


def test_a_claimant_denying_anothers_claims_denies_what_they_claimed():
    _, claims = extract(
        "Luhansk Oblast Head Serhiy Haidai emphasized that Ukrainian troops still control Kharkiv, "
        "denying Chechen Leader Ramzan Kadyrov’s false claims that Kharkiv is under full Russian control."
    )
    assert rows(claims, "source_id", "event_type", "polarity") == [
        ("ua_haidai", "holding", "asserted"), ("ua_haidai", "capture", "denied"), ("ru_kadyrov", "capture", "asserted")
    ]

def test_an_organ_whose_name_joins_capitalised_words_with_and():
    _, claims = extract("The Ministry of Culture and Information Policy of Ukraine reported that Russian forces destroyed monuments in Kharkiv.")
    sources = rows(claims, "source_id")
    assert sources == [("text:ministry_of_culture_and_information_policy_of_ukraine",)]


def test_ukrainian_and_russian_cues_triggers_and_sides():
    _, claims = extract("Російська армія зруйнувала понад 150 культурних об'єктів у Маріуполі, підрахували в ЮНЕСКО.")
    assert rows(claims, "source_id", "event_type", "actor_side") == [("unesco", "strike", "RU")]
    _, claims = extract("По данным Генштаба ВСУ, украинские защитники отбили атаку на Бахмут.")
    assert rows(claims, "source_id", "event_type", "actor_side") == [("ua_general_staff", "repelled", "UA")]


def test_a_speaker_after_a_closing_dash():
    _, claims = extract("Russian forces shelled Kharkiv overnight — Oleh Syniehubov, head of the Kharkiv Oblast Military Administration.")
    assert rows(claims, "source_id", "event_type", "places") == [("ua_syniehubov", "strike", ["Kharkiv"])]
    _, claims = extract("У Маріуполі російські загарбники розбирають завали зруйнованого бомбами театру — радник мера Маріуполя Петро Андрющенко")
    assert rows(claims, "source_id", "event_type") == [("ua_andryushchenko", "strike")]
    # A person named after a title the registry also knows: the person speaks, not the body in the title.
    _, claims = extract("Russian forces shelled Kharkiv, — the Minister of Energy of Ukraine, Herman Halushchenko.")
    assert rows(claims, "source_id", "event_type") == [("text:herman_halushchenko", "strike")]
    # A dash that opens an aside or an afterthought names no speaker.
    _, claims = extract("Russian forces shelled Kharkiv — the first time since May.")
    assert rows(claims, "source_id") == [(None,)]


def test_news_wording_of_strikes_losses_and_sides():
    _, claims = extract("A Russian plane attacked a village near Kharkiv.")
    assert rows(claims, "event_type", "actor_side") == [("strike", "RU")]
    _, claims = extract("Outrage over the Russian hospital attack in Mariupol grows.")
    assert rows(claims, "event_type") == [("strike",)]
    # "killed in fighting" is the loss, not a second claim of fighting.
    _, claims = extract("A top Russian military officer has been killed in fighting near Kharkiv.")
    assert rows(claims, "event_type") == [("casualties",)]
    _, claims = extract(
        "Russian troops cleared the settlement of Popasna. DNR troops are working to clear Kreminna. Ukrainian troops "
        "have almost pushed Russian forces out of Izium."
    )
    assert rows(claims, "event_type", "places") == [("capture", ["Popasna"]), ("assault", ["Kreminna"]), ("advance", ["Izium"])]
    sources, claims = extract("Government officials contrarily reported that the marines broke out of Mariupol.")
    assert rows(claims, "event_type", "places") == [("withdrawal", ["Mariupol"])]
    assert sources.filter(pl.col("source_id") == claims["source_id"][0])["name"].to_list() == ["Government officials"]
    _, claims = extract(
        "Russian forces continued their encirclement of Mariupol. Russian forces continued to transfer equipment and "
        "personnel near Izium. Ukrainian forces liberated over 200 square kilometers near Kreminna. Ukrainian forces liberated Kupiansk."
    )
    assert rows(claims, "event_type", "places") == [
        ("assault", ["Mariupol"]),
        ("reinforcement", ["Izium"]),
        ("advance", ["Kreminna"]),
        ("capture", ["Kupiansk"]),
    ]
    _, claims = extract(
        "Based on information from the General Staff, Russian forces shelled Kharkiv. Alice died defending her native "
        "Mariupol. Two Ukrainian soldiers were killed near Bakhmut. Five civilians died in Izium. She helped the wounded in Popasna."
    )
    assert rows(claims, "source_id", "event_type", "places") == [
        ("ua_general_staff", "strike", ["Kharkiv"]),
        (None, "casualties", ["Mariupol"]),
        (None, "casualties", ["Bakhmut"]),
        (None, "civilian_harm", ["Izium"]),
    ]
    _, claims = extract("Russian missiles attack Kharkiv. Russian forces attack Izium.")
    assert rows(claims, "event_type") == [("strike",), ("assault",)]
    _, claims = extract("Today 🇺🇦 struck the bridge near Izium.")
    assert rows(claims, "event_type", "actor_side") == [("strike", "UA")]


def test_the_body_in_the_reports_voice_lends_a_claimants_headline_claim_its_places():
    _, claims = extract("Russian missile attack on a military training base in the west, Zelensky says\n\nRussian missiles hit a training base near Kharkiv.")
    assert rows(claims, "source_id", "event_type", "places") == [("ua_zelensky", "strike", ["Kharkiv"])]


def test_with_opens_an_absolute_clause_not_the_claimants_name():
    sources, claims = extract(
        "Ukrainian forces repelled Russian attacks near Izium, with Kharkiv Oblast civilian leadership reporting that "
        "Ukrainian forces inflicted heavy casualties on Russian forces near Kharkiv."
    )
    assert ("text:kharkiv_oblast_civilian_leadership", "casualties") in rows(claims, "source_id", "event_type")


def test_what_an_event_would_bring_or_what_is_set_aside_is_no_claim():
    _, claims = extract("A successful counteroffensive on Kharkiv would place Ukrainian forces just 15 km north of Izium.")
    assert claims.is_empty()
    _, claims = extract("Russian forces are shelling Izium rather than attacking it.")
    assert rows(claims, "event_type") == [("strike",)]
    _, claims = extract("Russian forces attacked Izium instead of Kharkiv.")
    assert rows(claims, "event_type") == [("assault",)]
    _, claims = extract(
        "Russian forces in Izium continued to set conditions to resume offensive operations toward Kharkiv. Russian forces "
        "do not have enough manpower to encircle Bakhmut. Russian forces attempted to resume offensive operations near Popasna."
    )
    assert rows(claims, "event_type", "places") == [("assault", ["Popasna"])]
    _, claims = extract("Russian forces planned to attack Izium but did not advance near Kharkiv.")
    assert rows(claims, "event_type", "polarity") == [("advance", "denied")]


def test_named_claimants_in_an_including_apposition_and_a_coordinated_title_with_its_body():
    _, claims = extract(
        "Ukrainian sources, including the Ukrainian General Staff and Head of the Luhansk Regional State Administration "
        "Serhiy Haidai, noted that Ukrainian troops still control Kharkiv."
    )
    assert rows(claims, "source_id", "event_type") == [("ua_general_staff", "holding"), ("ua_haidai", "holding")]


def test_a_clause_opening_and_is_not_part_of_a_discovered_name_and_detentions_harm_civilians():
    _, claims = extract(
        "Petro Andryushenko stated that Russian forces shelled Mariupol, and other local government sources reported that "
        "Russian forces continued widespread detentions of Ukrainian civilians in Mariupol."
    )
    assert rows(claims, "source_id", "event_type") == [("ua_andryushchenko", "strike"), ("text:other_local_government_sources", "civilian_harm")]


def test_a_body_named_after_a_bracketed_abbreviation_is_the_registered_body():
    _, claims = extract("Forces of the Luhansk People’s Republic (LNR) militia claimed to have taken control of Izium.")
    assert rows(claims, "source_id") == [("ru_lnr_militia",)]
    _, claims = extract("The Luhansk People’s Republic (LNR) claimed to have taken control of Izium.")
    assert rows(claims, "source_id") == [("generic_lnr",)]


def test_forces_seen_present_are_a_deployment():
    _, claims = extract("Social media users on the ground confirmed the presence of Chechen fighters in Mariupol.")
    assert rows(claims, "source_id", "event_type", "places") == [("generic_social_media", "reinforcement", ["Mariupol"])]


def test_a_headline_speaker_whose_title_comes_first():
    _, claims = extract("Commander-in-Chief of the Armed Forces General Valerii Zaluzhnyi: Russian forces shelled Kharkiv.")
    assert rows(claims, "source_id", "event_type") == [("ua_cinc_zaluzhnyi", "strike")]
    # A headline whose words before the colon tell an event names no speaker, even when it ends with a name.
    _, claims = extract("Russian occupiers killed a civilian near #Kyiv: evidence of the crime.")
    assert rows(claims, "source_id") == [(None,)]


def test_troops_massed_civilians_fleeing_or_held_and_cyrillic_losses():
    cases = {
        "Russian occupiers gathered sufficient troops near Kharkiv.": ("reinforcement", "RU"),
        "The fighting has led more than 500,000 Ukrainians to flee from Kharkiv.": ("evacuation", None),
        "Russian troops fled from Izium.": ("withdrawal", "RU"),
        "300+ locals were kept there by Russian soldiers in Izium for 26 days.": ("civilian_harm", "RU"),
        "Сьогодні біля Izium було знищено два російські катери.": ("casualties", "UA"),
        "Російські війська втратили три танки біля Izium.": ("casualties", "UA"),
    }
    for text, expected in cases.items():
        _, claims = extract(text)
        assert expected in rows(claims, "event_type", "actor_side"), text


def test_residents_of_named_towns_a_cue_set_off_by_commas_and_an_estimating_claimant():
    _, claims = extract("Local residents of Donetsk City and Makiivka reported heavy shelling of infrastructure within both cities.")
    assert rows(claims, "source_id", "event_type") == [("text:local_residents_of_donetsk_city_and_makiivka", "strike")]
    _, claims = extract(
        "Zelensky said the city was calm. Russian forces attempted to land an aircraft at the airport in Izium, he reported, but failed."
    )
    assert ("ua_zelensky", "assault") in rows(claims, "source_id", "event_type")
    _, claims = extract("Ukrainian sources differed, with Oleksandr Stryuk estimating that Russian forces have encircled two-thirds of Kharkiv.")
    assert rows(claims, "source_id", "event_type") == [("ua_stryuk", "advance")]


def test_a_denial_of_the_claims_just_made_denies_their_event():
    _, claims = extract("Russian sources claimed Ukrainian forces shelled Kharkiv. The Ukrainian General Staff denied the claims.")
    assert rows(claims, "source_id", "event_type", "polarity", "places") == [
        ("generic_ru_sources", "strike", "asserted", ["Kharkiv"]),
        ("ua_general_staff", "strike", "denied", ["Kharkiv"]),
    ]
    _, claims = extract("Russian sources claimed Ukrainian forces shelled Kharkiv, but the Ukrainian Center for Counteracting Disinformation denied these claims.")
    assert ("ua_ccd", "denied") in rows(claims, "source_id", "polarity")


def test_an_abbreviation_defined_after_a_registered_name_names_that_source():
    _, claims = extract(
        "The Russian Ministry of Defense (MoD) reported that Ukrainian forces attacked Kreminna. "
        "The MoD also claimed that Russian forces repelled an attack on Kupiansk."
    )
    assert rows(claims, "source_id", "event_type") == [("ru_mod", "assault"), ("ru_mod", "repelled")]
    _, claims = extract("The Donetsk People’s Republic (DNR) Territorial Defense Force claimed that DNR troops took control of Popasna.")
    assert rows(claims, "source_id", "event_type", "actor_side") == [("ru_dnr_tdf", "capture", "RU")]


def test_control_fought_for_or_partly_gained_and_defences_prepared():
    cases = {
        "Kim reported that Ukrainian troops continue to fight for full control of Izium.": ("assault", "UA"),
        "A milblogger claimed that Russian troops have established control of 90% of Popasna.": ("advance", "RU"),
        "Kiselyov claimed that Russian forces established operational control of Popasna.": ("capture", "RU"),
        "Russian sources claimed that Ukrainian troops are grouping forces west of Kreminna.": ("reinforcement", "UA"),
        "Haidai noted that Russian troops mined the entire bank of the river near Kreminna.": ("holding", "RU"),
        "The General Staff said Ukrainian forces unsuccessfully attempted to ford the river near Izium.": ("assault", "UA"),
    }
    for text, expected in cases.items():
        _, claims = extract(text)
        assert rows(claims, "event_type", "actor_side") == [expected], text
    # A situation under control is no capture; what is anticipated or prepared for has not happened.
    _, claims = extract("Kim reported that the situation in Izium is under Ukrainian control.")
    assert "capture" not in rows(claims, "event_type")
    _, claims = extract("Haidai said Russian troops mined the approaches to Kreminna in anticipation of potential Ukrainian advances.")
    assert rows(claims, "event_type") == [("holding",)]


def test_a_second_that_clause_after_a_purpose_is_a_claim_of_its_own():
    _, claims = extract(
        "Russian sources claimed that Ukrainian troops are grouping forces west of Kreminna for future counteroffensive operations "
        "and that Russian forces are strengthening their defensive positions around Kreminna."
    )
    assert rows(claims, "event_type", "actor_side") == [("holding", "RU"), ("reinforcement", "UA")]


def test_emphasising_and_amplifying_claimants():
    _, claims = extract("Russian sources continue to emphasize heavy Ukrainian losses near Popasna.")
    assert rows(claims, "source_id", "cue") == [("generic_ru_sources", "emphasize")]
    _, claims = extract("Vitaly Kiselyov amplified claims that Russian forces captured Popasna.")
    assert rows(claims, "source_id", "event_type") == [("ru_kiselyov", "capture")]


def test_a_place_in_the_claimants_title_does_not_stop_it_introducing_the_next_sentence():
    _, claims = extract("The head of the Kharkiv regional administration Oleh Synegubov reported on the situation. Russian forces shelled Izium.")
    assert rows(claims, "source_id", "event_type", "places") == [("ua_syniehubov", "strike", ["Izium"])]


def test_a_country_taking_in_refugees_is_an_evacuation_and_its_minister_the_claimant():
    _, claims = extract("German Interior Minister Nancy Faeser said Germany had already accepted 850,000 Ukrainian refugees.")
    assert rows(claims, "event_type") == [("evacuation",)]
    assert claims["source_id"].to_list()[0] is not None


@pytest.mark.parametrize(
    ("text", "source_id"),
    [
        ("According to a senior U.S. defense official, Russian forces captured Kharkiv.", "generic_us_officials"),
        ("Russian forces captured Kharkiv, according to the U.K. Defence Ministry.", "uk_mod"),
    ],
)
def test_an_initialism_with_full_stops_is_the_registered_claimant_it_abbreviates(text, source_id):
    # The full stops neither end the claimant after "according to" nor keep "U.K." from matching "UK".
    _, claims = extract(text)
    assert rows(claims, "source_id", "event_type") == [(source_id, "capture")]
