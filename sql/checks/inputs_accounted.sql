-- Every input seen is a report, a duplicate of one, or a rejected input: inputs = reports + duplicates + rejected.
with

ledger as (
    select
        count(*) as inputs,
        count(*) filter (where status = 'duplicate') as duplicates
    from report_inputs
),

outcomes as (
    select
        (select count(*) from reports) as reports,
        (select count(*) from rejected_reports) as rejected
)

select
    ledger.inputs,
    outcomes.reports,
    ledger.duplicates,
    outcomes.rejected
from ledger
cross join outcomes
where ledger.inputs <> outcomes.reports + ledger.duplicates + outcomes.rejected
