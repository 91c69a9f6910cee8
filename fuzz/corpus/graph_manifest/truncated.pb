

	melographgraph *
artist *
song *
user 2
	by_artist"song*artist@H2#
rev_by_artist"artist*song0H2
follows"user*user@H2#
rev_follows"user*user0@H2
listened"user*song@H2$
rev_listened"song*user0@H:
row_ptr.i64int64	 H(…É¶ö:
col_idx.i32int32 @(ê¸H:%
edge_relation.u16uint16  (ôÕ×:$
edge_weight.f32float32 @(¢áû:#
nodes/