-- Projection "requests": how many requests wait at each library as their
-- current lender (REQUESTED, CONDITIONAL or WILL_SUPPLY), kept by the
-- projector with each view, so the automatic rota reads a candidate's count
-- by primary key instead of counting its queue. Only libraries with at
-- least one such request have a row. The twin, for rebuilds, as for every
-- projection table.
CREATE TABLE lender_waiting (
    library text    NOT NULL,
    waiting integer NOT NULL,
    CONSTRAINT lender_waiting_pkey PRIMARY KEY (library)
) STRICT;
CREATE TABLE lender_waiting_rebuild (
    library text    NOT NULL,
    waiting integer NOT NULL,
    CONSTRAINT lender_waiting_pkey_rebuild PRIMARY KEY (library)
) STRICT;

-- The counts of the views stored so far (and of a rebuild's twins, if one
-- was under way): the projector goes on from there.
INSERT INTO lender_waiting (library, waiting)
SELECT lender, count(*)
  FROM request_views
 WHERE lender IS NOT NULL AND status IN ('REQUESTED', 'CONDITIONAL', 'WILL_SUPPLY')
 GROUP BY lender;
INSERT INTO lender_waiting_rebuild (library, waiting)
SELECT lender, count(*)
  FROM request_views_rebuild
 WHERE lender IS NOT NULL AND status IN ('REQUESTED', 'CONDITIONAL', 'WILL_SUPPLY')
 GROUP BY lender;
