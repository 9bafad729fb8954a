-- What each claimant claimed in the last week of reporting, with how much of it is contested or corroborated.
select
    claimant,
    source_side,
    sum(claims) as claims,
    avg(share_contested) as share_contested,
    avg(share_corroborated) as share_corroborated
from source_activity
where day >= (select max(day) from source_activity) - 7
group by
    claimant,
    source_side
order by claims desc
