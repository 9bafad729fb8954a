-- Each ingested or duplicate input points at an existing report, each rejected input has a rejected_reports row, and each report and rejection has its input.
with

inputs as (
    select
        source_uri,
        status,
        report_id
    from report_inputs
),

missing_reports as (
    select
        inputs.source_uri,
        'no report for this input' as problem
    from inputs
    left join reports on inputs.report_id = reports.report_id
    where inputs.status in ('ingested', 'duplicate')
        and reports.report_id is null
),

missing_rejections as (
    select
        inputs.source_uri,
        'rejected input with no rejected_reports row' as problem
    from inputs
    left join rejected_reports on inputs.source_uri = rejected_reports.source_uri
    where inputs.status = 'rejected'
        and rejected_reports.source_uri is null
),

unledgered_reports as (
    select
        reports.source_uri,
        'report with no ingested input' as problem
    from reports
    left join inputs
        on reports.source_uri = inputs.source_uri
        and inputs.status = 'ingested'
    where inputs.source_uri is null
),

unledgered_rejections as (
    select
        rejected_reports.source_uri,
        'rejection with no rejected input' as problem
    from rejected_reports
    left join inputs
        on rejected_reports.source_uri = inputs.source_uri
        and inputs.status = 'rejected'
    where inputs.source_uri is null
)

select * from missing_reports
union all
select * from missing_rejections
union all
select * from unledgered_reports
union all
select * from unledgered_rejections
