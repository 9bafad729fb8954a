-- Character offsets point inside their report's text, and the text there is what the row quotes.
-- patch: report_id
with

mention_spans as (
    select
        'place_mentions' as table_name,
        place_mentions.report_id,
        place_mentions.char_start,
        place_mentions.char_end,
        place_mentions.mention_text as quoted,
        reports.text as report_text
    from place_mentions
    inner join reports on place_mentions.report_id = reports.report_id
),

claim_spans as (
    select
        'claims',
        claims.report_id,
        claims.char_start,
        claims.char_end,
        claims.text,
        reports.text
    from claims
    inner join reports on claims.report_id = reports.report_id
),

claim_place_spans as (
    select
        'claim_places',
        claims.report_id,
        claim_places.char_start,
        claim_places.char_end,
        null,
        reports.text
    from claim_places
    inner join claims on claim_places.claim_id = claims.claim_id
    inner join reports on claims.report_id = reports.report_id
),

spans as (
    select * from mention_spans
    union all
    select * from claim_spans
    union all
    select * from claim_place_spans
)

select
    table_name,
    report_id,
    char_start,
    char_end,
    quoted
from spans
where char_start < 0
    or char_end <= char_start
    or char_end > length(report_text)
    or (quoted is not null and substring(report_text, char_start + 1, char_end - char_start) <> quoted)
