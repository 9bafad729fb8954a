-- Enumerated columns hold only the values of the contract (listed in the enumerations table).
with

used as (
    select 'sources' as table_name, 'source_type' as column_name, source_type as value from sources
    union all
    select 'sources', 'affiliation', affiliation from sources
    union all
    select 'places', 'precision', precision from places
    union all
    select 'claims', 'event_type', event_type from claims
    union all
    select 'claims', 'actor_side', actor_side from claims where actor_side is not null
    union all
    select 'claims', 'polarity', polarity from claims
    union all
    select 'claims', 'date_precision', date_precision from claims
    union all
    select 'claim_places', 'role', role from claim_places
    union all
    select 'report_inputs', 'status', status from report_inputs
)

select
    used.table_name,
    used.column_name,
    used.value
from used
anti join enumerations
    on used.table_name = enumerations.table_name
    and used.column_name = enumerations.column_name
    and used.value = enumerations.value
