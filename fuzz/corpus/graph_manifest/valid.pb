

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
nodes/artist.idsbytes (»—›š:+
nodes/artist.offsets.i64int64 (¹Ã¯
:*
nodes/artist.sorted.i32int32 (Œğúì:!
nodes/song.idsbytes (ÕôÈ¬:)
nodes/song.offsets.i64int64  (¢¹¿“:(
nodes/song.sorted.i32int32 (úœØë:!
nodes/user.idsbytes (’Âè‡:)
nodes/user.offsets.i64int64  (¢¹¿“:(
nodes/user.sorted.i32int32 (úœØëB;
/tmp/tmp.NwBhC0LvOE/t.tsvfriendco_ostco_showsum Jlittle