-- Issue 21: the page and `status` of a dispute case show the roads it was taken onto (the
-- court, labour arbitration): matters whose intake names it as `road.from_case`.
CREATE INDEX IF NOT EXISTS cases_road_from ON cases ((intake -> 'road' ->> 'from_case'))
    WHERE intake -> 'road' ->> 'from_case' IS NOT NULL;
