-- Which places are contested in the last week of reporting, and by whom.
select
    place_name,
    conflict,
    claimant_a,
    event_type_a,
    claimant_b,
    event_type_b,
    claim_date_a
from contested_claims
where claim_date_a >= (select max(claim_date_a) from contested_claims) - 7
order by
    place_name,
    claim_date_a
