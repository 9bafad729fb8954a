-- Who claimed what about one place ($place), newest first.
select
    published_at,
    claimant,
    source_side,
    cue,
    event_type,
    actor_side,
    polarity,
    claim_date,
    claim_text,
    report_url
from claim_facts
where place_name = $place
order by
    published_at desc,
    claim_id
