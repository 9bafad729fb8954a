-- Claims whose event (same place, event type, acting side and polarity, within $window_days days) is asserted by
-- other, independent claimants: a different source, and not the same report repeating what it cites (a
-- report's narration does not corroborate a claimant quoted in that report). cross_side marks corroboration
-- by a source of the other side; corroborated_later that some corroboration came on the same day or after.
-- depends: claim_facts
-- patch: window(claim_id)
-- pairs: event_type, polarity, actor_side
with

-- Each claim keyed once for every day of its window, the other by its own day (sql/macros/located_claim_days.sql).
claim_days as (
    select * from located_claim_days($window_days)
),

claim_keys as (
    select * from located_claim_days(0)
),

matches as (
    select
        a.claim_id,
        a.place_id,
        a.place_name,
        a.event_type,
        a.actor_side,
        a.polarity,
        a.claim_date,
        a.claimant,
        a.source_side,
        b.claimant as other_claimant,
        b.claim_date as other_claim_date,
        b.source_side as other_source_side,
        b.report_id as other_report_id
    from claim_days as a
    inner join claim_keys as b
        on a.place_id = b.place_id
        and a.match_key = b.match_key
        and a.event_type = b.event_type
        and a.polarity = b.polarity
        and a.actor_side is not distinct from b.actor_side
        and a.claimant <> b.claimant
        and not (a.report_id = b.report_id and (a.is_report_narration or b.is_report_narration))
)

select
    claim_id,
    -- a claim about several places is corroborated at any of them; the first place id names it, the same every run
    min(place_id) as place_id,
    arg_min(place_name, place_id) as place_name,
    any_value(event_type) as event_type,
    any_value(actor_side) as actor_side,
    any_value(polarity) as polarity,
    any_value(claim_date) as claim_date,
    any_value(claimant) as claimant,
    any_value(source_side) as source_side,
    list(distinct other_claimant order by other_claimant) as corroborating_claimants,
    count(distinct other_claimant) as corroborations,
    bool_or(other_claim_date >= claim_date or other_claim_date is null) as corroborated_later,
    bool_or(
        source_side in ('RU', 'UA')
        and other_source_side in ('RU', 'UA')
        and other_source_side <> source_side
    ) as cross_side
from matches
group by claim_id
