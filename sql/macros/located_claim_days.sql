-- Located claims (claim_facts rows that place the event) keyed for pairing within `days` days: a dated claim
-- once for every day from `days` before it to `days` after it, an undated one (a report with no publication
-- date) once, by its report, so that undated claims meet only within their report. Pair one side's keys
-- within the window with the other side's keys at 0 days, by equality, instead of comparing every two claims.
-- depends: claim_facts
create or replace temp macro located_claim_days(days) as table
    select
        claim_facts.*,
        coalesce(cast(claim_facts.claim_date + cast(shift.days as integer) as varchar), 'report ' || claim_facts.report_id) as match_key
    from claim_facts
    cross join range(-days, days + 1) as shift(days)
    where claim_facts.locates_event
        and (claim_facts.claim_date is not null or shift.days = 0)
