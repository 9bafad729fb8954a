-- Every reference between tables resolves: mentions and claims to reports, places and sources; claim_places to claims and places.
with

mention_reports as (
    select 'place_mentions.report_id' as reference, place_mentions.report_id as value
    from place_mentions
    anti join reports on place_mentions.report_id = reports.report_id
),

mention_places as (
    select 'place_mentions.place_id', place_mentions.place_id
    from place_mentions
    anti join places on place_mentions.place_id = places.place_id
),

claim_reports as (
    select 'claims.report_id', claims.report_id
    from claims
    anti join reports on claims.report_id = reports.report_id
),

claim_sources as (
    select 'claims.source_id', claims.source_id
    from claims
    anti join sources on claims.source_id = sources.source_id
    where claims.source_id is not null
),

claim_place_claims as (
    select 'claim_places.claim_id', claim_places.claim_id
    from claim_places
    anti join claims on claim_places.claim_id = claims.claim_id
),

claim_place_places as (
    select 'claim_places.place_id', claim_places.place_id
    from claim_places
    anti join places on claim_places.place_id = places.place_id
)

select * from mention_reports
union all
select * from mention_places
union all
select * from claim_reports
union all
select * from claim_sources
union all
select * from claim_place_claims
union all
select * from claim_place_places
