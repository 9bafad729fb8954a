-- Events both sides' sources assert: the strongest confirmations.
select
    place_name,
    event_type,
    actor_side,
    claim_date,
    claimant,
    corroborating_claimants
from corroborated_claims
where cross_side
order by
    claim_date desc,
    place_name
