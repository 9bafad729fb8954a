-- One place's ($place) claims per day by the claimant's side and event type.
select
    day,
    event_type,
    ru_source_claims,
    ua_source_claims,
    other_claims
from place_daily
where place_name = $place
order by
    day,
    event_type
