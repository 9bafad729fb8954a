-- Per place, the latest claimed situation on the ground (capture, advance, assault, holding, repelled,
-- withdrawal) and who claims it.
-- depends: claim_facts
select
    place_id,
    place_name,
    admin1,
    lat,
    lon,
    claim_date as latest_date,
    event_type as latest_event_type,
    actor_side as latest_actor_side,
    polarity as latest_polarity,
    claimant as latest_claimant,
    source_side as latest_source_side,
    claim_text as latest_claim_text,
    report_url as latest_report_url
from claim_facts
where
    locates_event
    and event_type in ('capture', 'advance', 'assault', 'holding', 'repelled', 'withdrawal')
qualify row_number() over (
    partition by place_id
    order by claim_date desc, published_at desc, claim_id
) = 1
