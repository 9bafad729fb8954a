-- Per place, day and event type: how many claims (statements: one claimant's claim carried by several
-- reports counts once) RU-affiliated, UA-affiliated and other sources made; reference places such as
-- "(northwest of Severodonetsk)" are left out.
-- depends: claim_facts
-- patch: window(place_id, day)
select
    place_id,
    any_value(place_name) as place_name,
    any_value(admin1) as admin1,
    any_value(lat) as lat,
    any_value(lon) as lon,
    claim_date as day,
    event_type,
    count(distinct statement_id) filter (where source_side = 'RU') as ru_source_claims,
    count(distinct statement_id) filter (where source_side = 'UA') as ua_source_claims,
    count(distinct statement_id) filter (where source_side not in ('RU', 'UA')) as other_claims,
    count(distinct statement_id) filter (where polarity = 'denied') as denied_claims,
    count(distinct statement_id) as claims,
    count(distinct report_id) as reports
from claim_facts
where
    locates_event
group by
    place_id,
    claim_date,
    event_type
