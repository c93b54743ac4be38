"""Accent folding for search: "nguyen van an" finds "Nguyễn Văn An", and "Đông" is "dong".

Staff type names and words without tone marks, or with the wrong ones; folding both the stored
text and the query to lowercase letters without diacritics makes them meet. Unicode decomposition
alone leaves đ/Đ (a letter of its own, not d plus a mark), so they are mapped explicitly. The same
table is the PostgreSQL function ``sohoa_fold`` (migration 0870: ``lower(translate(...))``, an
immutable SQL function any schema owner may create, no ``unaccent`` extension needed), so Python
and the database fold alike; ``tests/dossier/test_search_folding.py`` checks it letter by letter.
"""

from __future__ import annotations

import unicodedata

# Every precomposed Latin letter whose decomposition is one ASCII letter plus marks (Latin-1,
# Latin Extended-A/B, Latin Extended Additional: all of Vietnamese), then đ and Đ.
FOLD_FROM = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐ"
FOLD_TO = "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyydd"
# Combining marks (U+0300-U+036F), deleted: text typed or stored decomposed folds the same.
COMBINING_MARKS = "".join(chr(cp) for cp in range(0x300, 0x370))
_TABLE = str.maketrans(FOLD_FROM, FOLD_TO, COMBINING_MARKS)


def fold(text: str) -> str:
    """Lowercase, diacritics and đ removed; NFC first, so precomposed and decomposed agree."""
    return unicodedata.normalize("NFC", text).translate(_TABLE).lower()


def has_marks(text: str) -> bool:
    """True when ``text`` carries a diacritic or đ, i.e. its accents say something."""
    return fold(text) != text.lower()
