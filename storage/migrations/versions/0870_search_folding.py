"""search without accents; procedure codes as in the national catalogue

Revision ID: 0870
Revises: 0860
Written by hand. Staff type names and words without tone marks (or with wrong ones), and đ is
not a d plus a mark, so:

- ``dossier_cases.applicant_name_folded``: the applicant's name folded (lowercase, no
  diacritics, đ → d), filled here for every existing row and kept by the model afterwards;
- PostgreSQL: ``sohoa_fold(text)``, an IMMUTABLE SQL function (``lower(translate(...))`` over the
  table below, the same as ``storage.db.text_fold``; no ``unaccent`` extension, which a
  non-superuser may not be able to create), and the full-text GIN index rebuilt on
  ``to_tsvector('simple', sohoa_fold(body))``: existing texts are searchable once it is built.
  SQLite's FTS5 already strips diacritics; its queries spell d both ways, so it is unchanged;
- the sample catalogue's codes that were wrong (see pipeline/dossier/data/PROVENANCE.md):
  1.004194 is temporary residence and 1.004222 permanent residence (they were swapped), household
  business registration is 1.001612 (2.000720 is changing one), and the land transfer
  registration is 1.013831 (1.004227 could not be confirmed; the short name is kept). A row is
  renamed only while it still has the sample's name, so a province's own catalogue is left alone; its dossiers keep
  pointing at it. ``sohoa db upgrade`` then imports the corrected catalogue.

The table is frozen here (a migration must not change when the code does); a test compares it
with ``storage.db.text_fold`` on both databases.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0870'
down_revision: str | None = '0860'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD_FROM = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐðÐ"
FOLD_TO = "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyydddd"
MARKS = "".join(chr(cp) for cp in range(0x300, 0x370))
_TABLE = str.maketrans(FOLD_FROM, FOLD_TO, MARKS)
BATCH = 500

# (code in the old sample, its name there, the national catalogue's code)
CODE_FIXES = (
    ("1.004194", "Đăng ký thường trú", "1.004222"),
    ("1.004222", "Đăng ký tạm trú", "1.004194"),
    ("2.000720", "Đăng ký thành lập hộ kinh doanh", "1.001612"),
    ("1.004227", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", "1.013831"),
)

procedures = sa.table('procedures', sa.column('id', sa.Integer), sa.column('code', sa.String), sa.column('name', sa.String))
cases = sa.table(
    'dossier_cases',
    sa.column('dossier_id', sa.BigInteger),
    sa.column('applicant_name', sa.String),
    sa.column('applicant_name_folded', sa.String),
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_TABLE).lower()


def _pg_function() -> str:
    source = FOLD_FROM + MARKS
    return (
        "CREATE OR REPLACE FUNCTION sohoa_fold(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
        f"$fold$ SELECT lower(translate($1, '{source}', '{FOLD_TO}')) $fold$"
    )


def _rename(pairs: Sequence[tuple[str, str, str]]) -> None:
    """Rename rows (old code, name, new code) in two steps, so a swap never collides."""
    bind = op.get_bind()
    moved: list[tuple[int, str, str]] = []
    for old, name, new in pairs:
        row = bind.execute(
            sa.select(procedures.c.id).where(procedures.c.code == old, procedures.c.name == name)
        ).scalar()
        if row is not None:
            bind.execute(procedures.update().where(procedures.c.id == row).values(code=f"~0870-{row}"))
            moved.append((row, old, new))
    for row, old, new in moved:
        taken = bind.execute(sa.select(procedures.c.id).where(procedures.c.code == new)).scalar()
        bind.execute(procedures.update().where(procedures.c.id == row).values(code=old if taken else new))


def upgrade() -> None:
    with op.batch_alter_table('dossier_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_name_folded', sa.String(length=255), nullable=True))
    bind = op.get_bind()
    after = -1
    while True:
        rows = bind.execute(
            sa.select(cases.c.dossier_id, cases.c.applicant_name)
            .where(cases.c.applicant_name.is_not(None), cases.c.dossier_id > after)
            .order_by(cases.c.dossier_id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for dossier_id, name in rows:
            bind.execute(
                cases.update().where(cases.c.dossier_id == dossier_id).values(applicant_name_folded=_fold(name)[:255])
            )
        after = rows[-1][0]
    if bind.dialect.name != "sqlite":
        op.execute(_pg_function())
        op.execute("DROP INDEX IF EXISTS ix_document_texts_fts")
        op.execute(
            "CREATE INDEX ix_document_texts_fold ON document_texts "
            "USING gin (to_tsvector('simple', sohoa_fold(body)))"
        )
    _rename(CODE_FIXES)


def downgrade() -> None:
    bind = op.get_bind()
    _rename([(new, name, old) for old, name, new in CODE_FIXES])
    if bind.dialect.name != "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_document_texts_fold")
        op.execute(
            "CREATE INDEX ix_document_texts_fts ON document_texts "
            "USING gin (to_tsvector('simple', body))"
        )
        op.execute("DROP FUNCTION IF EXISTS sohoa_fold(text)")
    with op.batch_alter_table('dossier_cases', schema=None) as batch_op:
        batch_op.drop_column('applicant_name_folded')
