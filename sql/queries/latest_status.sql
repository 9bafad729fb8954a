-- The latest claimed situation of every place claimed captured or advanced on in the last 30 days of reporting.
select
    place_name,
    latest_date,
    latest_event_type,
    latest_actor_side,
    latest_claimant
from place_status_latest
where
    latest_event_type in ('capture', 'advance')
    and latest_date >= (select max(latest_date) from place_status_latest) - 30
order by latest_date desc
