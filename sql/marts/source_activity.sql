-- Per claimant and day: claims made (statements, and the reports carrying them), and the share contested,
-- corroborated, and corroborated on the same day or later.
-- depends: claim_facts, contested_claims, corroborated_claims
with

claims_by_source as (
    select distinct
        claim_id,
        statement_id,
        report_id,
        claimant,
        source_id,
        source_type,
        source_side,
        claim_date
    from claim_facts
),

contested as (
    select claim_id_a as claim_id from contested_claims
    union
    select claim_id_b from contested_claims
)

select
    claims_by_source.claimant,
    any_value(claims_by_source.source_id) as source_id,
    any_value(claims_by_source.source_type) as source_type,
    any_value(claims_by_source.source_side) as source_side,
    claims_by_source.claim_date as day,
    count(distinct claims_by_source.statement_id) as claims,
    count(distinct claims_by_source.report_id) as reports,
    avg(cast(contested.claim_id is not null as double)) as share_contested,
    avg(cast(corroborated_claims.claim_id is not null as double)) as share_corroborated,
    avg(cast(coalesce(corroborated_claims.corroborated_later, false) as double)) as share_corroborated_later
from claims_by_source
left join contested
    on claims_by_source.claim_id = contested.claim_id
left join corroborated_claims
    on claims_by_source.claim_id = corroborated_claims.claim_id
group by
    claims_by_source.claimant,
    claims_by_source.claim_date
