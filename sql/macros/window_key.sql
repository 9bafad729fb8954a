-- The key two located claims are paired by when they are at most $window_days apart: a claim's day moved by
-- `shift` days (one row per shift on one side, shift 0 on the other), or, for an undated claim (a report with
-- no publication date), its report, so undated claims meet only within their report.
create or replace temp macro window_key(claim_date, report_id, shift) as
    coalesce(cast(claim_date + cast(shift as integer) as varchar), 'report ' || report_id)
