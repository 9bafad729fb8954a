-- One row per claim and place (a claim with no place has one row without one): the table a BI tool points at.
-- Claimant, side and type of the source; event, side, polarity and date of the claim; coordinates of the place;
-- title, outlet and address of the report. claim_date is the event date, else the publication date.
-- statement_id joins the same claimant's same claim carried by several reports (same event, side, polarity,
-- date and places): count statements, not rows, so that repetition does not inflate the figures. The report's
-- own narration is a statement of its own.
-- depends: claims, claim_places, places, sources, reports
-- patch: report_id
-- reads: sources(source_id, name, source_type, affiliation), places(place_id, name, feature_type, admin1, lat, lon)
with

claim_place_roles as (
    -- a place named twice in one claim is one place of it: the row takes the role that locates the event
    -- (location, then target) over a mention for reference
    select
        claim_id,
        place_id,
        arg_min(role, case role when 'location' then 0 when 'target' then 1 else 2 end) as role
    from claim_places
    group by
        claim_id,
        place_id
),

claim_place_keys as (
    select
        claim_id,
        string_agg(place_id, ',' order by place_id) as place_key
    from claim_place_roles
    group by claim_id
)

select
    claims.claim_id,
    case
        when claims.source_id is null then claims.claim_id
        else md5(concat_ws(
            '|',
            claims.source_id,
            claims.event_type,
            claims.polarity,
            coalesce(claims.actor_side, ''),
            coalesce(cast(coalesce(claims.event_date, cast(reports.published_at as date)) as varchar), ''),
            coalesce(claim_place_keys.place_key, '')
        ))
    end as statement_id,
    claims.report_id,
    claims.source_id,
    coalesce(sources.name, reports.outlet, 'report author') as claimant,
    sources.source_type,
    coalesce(sources.affiliation, 'unknown') as source_side,
    claims.source_id is null as is_report_narration,
    claims.cue,
    claims.event_type,
    claims.actor_side,
    claims.polarity,
    claims.event_date,
    claims.date_precision,
    coalesce(claims.event_date, cast(reports.published_at as date)) as claim_date,
    claims.quantity,
    claims.quantity_unit,
    claim_place_roles.place_id,
    places.name as place_name,
    places.feature_type as place_type,
    places.admin1,
    places.lat,
    places.lon,
    claim_place_roles.role as place_role,
    -- where the event happened or was aimed, as opposed to a place named only for reference
    coalesce(claim_place_roles.role <> 'reference', false) as locates_event,
    claims.text as claim_text,
    claims.char_start,
    claims.char_end,
    claims.evidence_urls,
    reports.title as report_title,
    reports.outlet,
    reports.url as report_url,
    reports.published_at
from claims
inner join reports
    on claims.report_id = reports.report_id
left join sources
    on claims.source_id = sources.source_id
left join claim_place_keys
    on claims.claim_id = claim_place_keys.claim_id
left join claim_place_roles
    on claims.claim_id = claim_place_roles.claim_id
left join places
    on claim_place_roles.place_id = places.place_id
