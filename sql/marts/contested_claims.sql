-- Pairs of claims by different claimants about the same place within $window_days days whose content conflicts:
-- a capture or advance against holding or repelled by the other side; a capture asserted against the same
-- capture denied; a capture against fighting still going on there the same day; each side capturing it.
-- depends: claim_facts
-- patch: window(place_id, least(claim_date_a, claim_date_b))
with

-- Every conflict below starts from a gain (capture or advance) and sets it against a defence, a denial, a
-- rival capture or fighting still going on: pairing only these keeps the join small. Gains are keyed once
-- for every day of their window, answers by their own day (sql/macros/located_claim_days.sql).
gain_days as (
    select * from located_claim_days($window_days) where event_type in ('capture', 'advance')
),

answer_days as (
    select * from located_claim_days(0) where event_type in ('capture', 'advance', 'holding', 'repelled', 'assault')
),

pairs as (
    select
        a.place_id,
        a.place_name,
        a.lat,
        a.lon,
        a.claim_id as claim_id_a,
        a.claimant as claimant_a,
        a.source_side as source_side_a,
        a.event_type as event_type_a,
        a.actor_side as actor_side_a,
        a.polarity as polarity_a,
        a.claim_date as claim_date_a,
        a.claim_text as claim_text_a,
        b.claim_id as claim_id_b,
        b.claimant as claimant_b,
        b.source_side as source_side_b,
        b.event_type as event_type_b,
        b.actor_side as actor_side_b,
        b.polarity as polarity_b,
        b.claim_date as claim_date_b,
        b.claim_text as claim_text_b,
        case
            when a.event_type in ('capture', 'advance') and a.polarity = 'asserted'
                and b.event_type in ('holding', 'repelled') and b.polarity = 'asserted'
                and b.actor_side is distinct from a.actor_side
                then 'gain against defence'
            when a.event_type = b.event_type and a.event_type in ('capture', 'advance')
                and a.polarity <> b.polarity
                and a.actor_side is not distinct from b.actor_side
                then 'asserted against denied'
            when a.event_type = 'capture' and b.event_type = 'capture'
                and a.polarity = 'asserted' and b.polarity = 'asserted'
                and a.actor_side <> b.actor_side
                then 'both sides capture'
            when a.event_type = 'capture' and a.polarity = 'asserted'
                and b.event_type = 'assault' and b.polarity = 'asserted'
                and a.actor_side is not distinct from b.actor_side
                and a.claim_date is not distinct from b.claim_date
                then 'capture against ongoing fighting'
        end as conflict
    from gain_days as a
    inner join answer_days as b
        on a.place_id = b.place_id
        and a.match_key = b.match_key
        and a.claim_id <> b.claim_id
        and a.claimant <> b.claimant
)

-- One row per place, pair of claimants, kind of conflict and day: a claimant repeating itself adds no conflict.
select distinct on (
    place_id,
    least(claimant_a, claimant_b),
    greatest(claimant_a, claimant_b),
    conflict,
    least(claim_date_a, claim_date_b)
)
    place_id,
    place_name,
    lat,
    lon,
    conflict,
    claim_id_a,
    claimant_a,
    source_side_a,
    event_type_a,
    actor_side_a,
    polarity_a,
    claim_date_a,
    claim_text_a,
    claim_id_b,
    claimant_b,
    source_side_b,
    event_type_b,
    actor_side_b,
    polarity_b,
    claim_date_b,
    claim_text_b
from pairs
where conflict is not null
order by
    place_id,
    least(claimant_a, claimant_b),
    greatest(claimant_a, claimant_b),
    conflict,
    least(claim_date_a, claim_date_b),
    claim_id_a,
    claim_id_b
