"""Words and numbers as the room reads them: Bahasa Indonesia first, English on request.

The one source of the interface's words: the server renders with `t`, and the browser's
drawing functions (assets/liveroom.js) get `browser_words()` from /_liveroom/words.js.
Numbers and dates go through Babel (2.130.166; 28 Februari 2022), times are shown in WIB.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from babel.dates import format_date, format_time
from babel.numbers import format_compact_decimal, format_decimal, format_percent

from data_feeds.clock import WIB

LANGS = ("id", "en")
LOCALES = {"id": "id_ID", "en": "en_GB"}

STRINGS: dict[str, tuple[str, str]] = {
    # key: (Bahasa Indonesia, English)
    "app_title": ("Tangerang LIVE Room", "Tangerang LIVE Room"),
    "city": ("Kota Tangerang", "Tangerang City"),
    "demo_banner": (
        "DATA DEMO — laporan simulasi, bukan laporan warga",
        "DEMO DATA — simulated reports, not citizens' reports",
    ),
    "demo_tag": ("DEMO", "DEMO"),
    "kpi_today": ("Laporan hari ini", "Reports today"),
    "kpi_baru": ("Baru", "New"),
    "kpi_diproses": ("Diproses", "In progress"),
    "kpi_selesai": ("Selesai hari ini", "Resolved today"),
    "kpi_ttfr": ("Median respons pertama", "Median first response"),
    "kpi_ttfr_window": ("{days} hari terakhir, {n} laporan", "last {days} days, {n} reports"),
    "no_data": ("belum ada data", "no data yet"),
    "status_baru": ("Baru", "New"),
    "status_diproses": ("Diproses", "In progress"),
    "status_selesai": ("Selesai", "Resolved"),
    "status_ditolak": ("Ditolak", "Refused"),
    "status_duplikat": ("Duplikat", "Duplicate"),
    "ticker_title": ("Laporan terbaru", "Newest reports"),
    "ticker_empty": ("Belum ada laporan.", "No reports yet."),
    "vacc_title": ("Vaksinasi COVID-19", "COVID-19 vaccination"),
    "dose_1": ("Dosis 1", "Dose 1"),
    "dose_2": ("Dosis 2", "Dose 2"),
    "dose_3": ("Dosis 3", "Dose 3"),
    "as_of": ("per {date}", "as of {date}"),
    "source": ("Sumber: {source}", "Source: {source}"),
    "live_ok": ("LANGSUNG", "LIVE"),
    "live_redis_down": (
        "Bus data langsung (Redis) tidak tersedia — tampilan tertahan sejak {time} WIB; laporan tetap tersimpan",
        "Live data bus (Redis) unavailable — display held since {time} WIB; reports are still being stored",
    ),
    "live_worker_down": (
        "Pembaru tampilan berhenti — angka di layar mungkin tidak terkini (terakhir {time} WIB)",
        "Display updater stopped — figures on screen may be out of date (last {time} WIB)",
    ),
    "feed_stale": ("Umpan tidak aktif: {feeds}", "Feeds silent: {feeds}"),
    "live_cut": (
        "TERPUTUS sejak {time} WIB — layar tidak menerima pembaruan; mencoba menyambung kembali",
        "DISCONNECTED since {time} WIB — the screen receives no updates; reconnecting",
    ),
    "updated": ("Diperbarui {time} WIB", "Updated {time} WIB"),
    # the kiosk (a wall's playlist of scenes, assets/kiosk.js) and its honesty when cut off
    "scene_peta": ("Peta", "Map"),
    "scene_opd": ("Kinerja OPD", "Agencies"),
    "scene_vaksin": ("Vaksinasi", "Vaccination"),
    "scene_indikator": ("Indikator", "Indicators"),
    "scene_pinned": ("disematkan", "pinned"),
    "clock_local": ("jam perangkat", "device clock"),
    "data_age": ("data {age} lalu, {time} WIB", "data {age} old, {time} WIB"),
    "replay_banner": ("PUTAR ULANG {day} · {time} WIB · ×{speed}", "REPLAY {day} · {time} WIB · ×{speed}"),
    "replay_done": ("PUTAR ULANG selesai: {day}", "REPLAY finished: {day}"),
    "replay_error": ("Putar ulang tidak dapat dimuat: {why}", "The replay could not be loaded: {why}"),
    "replay_live": ("kembali ke langsung", "back to live"),
    "replay_ttfr": ("hari itu, {n} laporan", "that day, {n} reports"),
    # the assessors' evidence pack (data_feeds/documents/evidence_pack.py)
    "pack_title": ("Paket Bukti Smart City", "Smart City Evidence Pack"),
    "pack_period": ("Periode {start} – {end}", "Period {start} – {end}"),
    "pack_generated": ("Dibuat {time} WIB oleh Tangerang LIVE Room", "Generated {time} WIB by the Tangerang LIVE Room"),
    "pack_boundaries_official": ("Batas wilayah: resmi ({source})", "Boundaries: official ({source})"),
    "pack_boundaries_schematic": (
        "Batas wilayah: skematis (dari titik gazetteer), bukan batas resmi",
        "Boundaries: schematic (from gazetteer points), not the official ones",
    ),
    "pack_demo_yes": (
        "Berisi angka DEMO (simulasi), ditandai di tiap halaman tempat angka itu muncul",
        "Contains DEMO (simulated) figures, marked on every page where they appear",
    ),
    "pack_demo_no": ("Tanpa angka demo", "No demo figures"),
    "pack_no_personal": ("Tanpa data pribadi: hanya angka agregat", "No personal data: aggregates only"),
    "pack_contents": ("Daftar isi", "Contents"),
    "pack_indicator_line": (
        "{value} {unit} · per {date} · sumber: {source}",
        "{value} {unit} · as of {date} · source: {source}",
    ),
    "pack_target_line": ("Target {target}{period}; realisasi {pct}", "Target {target}{period}; realised {pct}"),
    "pack_coverage_line": (
        "Cakupan {pct} dari penduduk {den} ({period})",
        "Coverage {pct} of {den} residents ({period})",
    ),
    "pack_stale": (
        "Lewat jadwal pembaruan: angka berumur {days} hari (jadwal tiap {cadence} hari)",
        "Past its update schedule: the figure is {days} days old (due every {cadence} days)",
    ),
    "pack_per_period": ("Target dan realisasi per periode", "Target and realisation by period"),
    "pack_complaints": (
        "Penanganan pengaduan oleh OPD pilar ini, {start} – {end}",
        "Complaint handling by this pillar's agencies, {start} – {end}",
    ),
    "pack_col_opd": ("OPD", "Agency"),
    "pack_col_reports": ("Laporan", "Reports"),
    "pack_col_resolved": ("Selesai", "Resolved"),
    "pack_col_overdue": ("Lewat SLA", "Overdue"),
    "pack_col_response": ("Respons pertama (median · p90)", "First response (median · p90)"),
    "pack_col_resolution": ("Penyelesaian (median · p90)", "Resolution (median · p90)"),
    "pack_no_complaints": (
        "Tidak ada pengaduan ke OPD pilar ini dalam periode ini.",
        "No complaints to this pillar's agencies in the period.",
    ),
    "pack_no_indicator": (
        "Belum ada indikator untuk pilar ini; buktinya adalah penanganan pengaduan OPD-nya.",
        "No indicator for this pillar yet; its evidence is its agencies' complaint handling.",
    ),
    "pack_maps": ("Peta kota", "City maps"),
    "pack_maps_note": (
        "Kelas dan warna tetap, sama dengan peta di layar LIVE Room; wilayah tanpa angka diarsir abu-abu (tidak ada "
        "data), bukan nol. Angka per {time} WIB.",
        "Fixed classes and colours, as on the LIVE Room's map; an area without a figure is hatched grey (no data), "
        "never zero. Figures as of {time} WIB.",
    ),
    "pack_method": ("Metodologi", "Methodology"),
    "pack_method_denominators": (
        "Penyebut. Cakupan vaksinasi dihitung terhadap penduduk {population} ({period}); penduduk per kecamatan "
        "baru diketahui "
        "untuk {known} dari {all} kecamatan, maka cakupan per wilayah hanya ada di sana. Di atas 100 %: termasuk "
        "warga luar kota "
        "yang divaksin di Kota Tangerang.",
        "Denominators. Vaccination coverage is counted against a population of {population} ({period}); kecamatan "
        "populations are "
        "known for {known} of {all} kecamatan, so coverage by area exists only there. Above 100 %: people from "
        "outside the city "
        "vaccinated in Kota Tangerang.",
    ),
    "pack_method_sla": (
        "Jam SLA. Tiap laporan punya dua jam sejak dilaporkan, diatur per kategori: respons pertama (baru → "
        "diproses) dan "
        "penyelesaian (→ selesai, dengan bukti foto/video). Lewat SLA: dijawab atau diselesaikan setelah batasnya, "
        "atau masih "
        "terbuka melewati batas pada akhir periode; laporan ditolak atau duplikat tidak dihitung. Median dan p90: "
        "peringkat "
        "terdekat, sama dengan tabel OPD di layar.",
        "SLA clocks. Every report runs two clocks from the moment it was reported, set per category: first response "
        "(baru → "
        "diproses) and resolution (→ selesai, with photo/video evidence). Overdue: answered or resolved after its "
        "due time, or "
        "still open past it at the end of the period; refused and duplicate reports are not counted. Median and "
        "p90: nearest "
        "rank, as the OPD table on the wall.",
    ),
    "pack_method_period": (
        "Periode. Penanganan pengaduan: laporan yang masuk dalam periode, dilihat pada akhirnya. Indikator: angka "
        "terbaru "
        "masing-masing dengan tanggalnya sendiri; angka yang lebih tua dari jadwal pembaruannya ditandai.",
        "Period. Complaint handling: the reports filed in the period, as they stood at its end. Indicators: each "
        "one's newest "
        "figure with its own date; a figure older than its update schedule is flagged.",
    ),
    "pack_method_missing": ("Yang belum ada. {missing}", "What is missing. {missing}"),
    "pack_missing_environment": (
        "Pilar lingkungan belum punya indikator (hanya penanganan pengaduan).",
        "The environment pillar has no indicator yet (complaint handling only).",
    ),
    "pack_missing_population": (
        "Penduduk {n} kecamatan belum ada, maka ukuran per 10.000 penduduk dan cakupan per kecamatan tidak dihitung "
        "di sana.",
        "The population of {n} kecamatan is not known, so per-10,000 and coverage by kecamatan are not computed there.",
    ),
    "pack_missing_boundaries": (
        "Batas wilayah skematis, bukan batas resmi: luas dan bentuk pada peta perkiraan.",
        "Boundaries are schematic, not official: shapes and areas on the maps are approximate.",
    ),
    "pack_sla_table": ("Jam SLA per kategori", "SLA clocks by category"),
    "pack_col_category": ("Kategori", "Category"),
    "pack_col_sla_response": ("Respons pertama", "First response"),
    "pack_col_sla_resolution": ("Penyelesaian", "Resolution"),
    "pack_demo_mark": ("DATA DEMO — angka simulasi di halaman ini", "DEMO DATA — simulated figures on this page"),
    "pack_page": ("Halaman {n}", "Page {n}"),
    # the 07:00 briefing (data_feeds/documents/briefing.py) and its list (/briefing/)
    "brief_title": ("Briefing pagi", "Morning briefing"),
    "brief_for_mayor": ("untuk Wali Kota", "for the Mayor"),
    "brief_for_opd": ("untuk {opd}", "for {opd}"),
    "brief_reports": (
        "Laporan hari itu: {n}, menurut statusnya sekarang",
        "That day's reports: {n}, by their status now",
    ),
    "brief_overdue": ("Lewat SLA hari itu: {n} laporan", "Past their SLA that day: {n} reports"),
    "brief_col_ref": ("ID", "Id"),
    "brief_col_report": ("Laporan", "Report"),
    "brief_col_clock": ("Jam SLA", "Clock"),
    "brief_col_due": ("Batas", "Due"),
    "brief_clock_response": ("respons", "response"),
    "brief_clock_resolution": ("penyelesaian", "resolution"),
    "brief_more": (
        "… dan {n} lainnya (semua: Daftar laporan, filter lewat SLA)",
        "… and {n} more (all: the report list, overdue filter)",
    ),
    "brief_none_overdue": ("Tidak ada laporan yang lewat SLA hari itu.", "No report went past its SLA that day."),
    "brief_agencies": (
        "OPD paling lambat, {days} hari terakhir (bagian lewat SLA, lalu median penyelesaian)",
        "The slowest agencies, last {days} days (share overdue, then median resolution)",
    ),
    "brief_own_sla": ("Kinerja SLA, {days} hari terakhir", "SLA performance, last {days} days"),
    "brief_indicators": ("Angka indikator yang masuk hari itu", "Indicator figures dated that day"),
    "brief_no_indicators": ("Tidak ada angka indikator baru hari itu.", "No new indicator figure that day."),
    "brief_footer": (
        "Tangerang LIVE Room · tanpa data pelapor · semua briefing: /briefing/",
        "Tangerang LIVE Room · no reporter data · every briefing: /briefing/",
    ),
    "brief_none": ("Belum ada briefing yang boleh Anda baca.", "No briefing you may read yet."),
    "brief_intro": (
        "Tiap pagi pukul {at} WIB: satu halaman tentang hari sebelumnya.",
        "Every morning at {at} WIB: one page on the day before.",
    ),
    "nav_briefing": ("Briefing", "Briefing"),
    "counts_legend": (
        "Angka per kecamatan: baru · diproses · selesai hari ini",
        "Per kecamatan: new · in progress · resolved today",
    ),
    "legend_title": ("Status laporan", "Report status"),
    "markers_capped": ("{shown} dari {total} laporan terbuka ditampilkan", "{shown} of {total} open reports shown"),
    "boundary_schematic": (
        "Batas wilayah skematis (dari titik gazetteer), bukan batas resmi",
        "Schematic boundaries (from gazetteer points), not official",
    ),
    "boundary_official": ("Batas wilayah resmi: {source}", "Official boundaries: {source}"),
    "lang_switch": ("EN", "ID"),
    "map_measure": ("Warna peta", "Map colour"),
    "facts_population": ("Penduduk {value} ({period})", "Population {value} ({period})"),
    "facts_population_missing": ("Penduduk: angka resmi belum tersedia", "Population: no official figure yet"),
    "facts_area": ("Luas {value} km²", "Area {value} km²"),
    "facts_kelurahan": ("{n} kelurahan", "{n} kelurahan"),
    "no_data_area": ("tidak ada data", "no data"),
    "scope_city": ("Seluruh Kota Tangerang", "All of Tangerang City"),
    "scope_kecamatan": ("Kecamatan {name}", "Kecamatan {name}"),
    "scope_reset": ("← Kembali ke kota", "← Back to the city"),
    "scope_hint": ("Klik kecamatan di peta untuk memfokuskan", "Click a kecamatan on the map to focus"),
    "vacc_coverage": ("{pct} dari penduduk", "{pct} of residents"),
    "vacc_change": ("{sign}{value} sejak {date}", "{sign}{value} since {date}"),
    "vacc_denominator": (
        "Cakupan dihitung dari penduduk {value} ({period})",
        "Coverage of a population of {value} ({period})",
    ),
    "vacc_over_100": (
        "Di atas 100 %: termasuk warga luar kota yang divaksin di Kota Tangerang",
        "Above 100 %: includes people from outside the city vaccinated here",
    ),
    "figure_stale": (
        "Angka lebih lama dari jadwal pembaruan ({days} hari)",
        "Older than its update cadence ({days} days)",
    ),
    "figure_demo": ("DEMO: angka kecamatan disimulasikan", "DEMO: kecamatan figures are simulated"),
    "vacc_city_only": (
        "Angka kota; rincian per kecamatan belum tersedia",
        "City figures; no per-kecamatan breakdown yet",
    ),
    "opd_title": ("Kinerja OPD · SLA", "Agency performance · SLA"),
    "opd_col_opd": ("OPD", "Agency"),
    "opd_col_open": ("Terbuka", "Open"),
    "opd_col_breached": ("Lewat SLA", "Overdue"),
    "opd_col_soon": ("Hampir lewat", "Due soon"),
    "opd_col_response": ("Respons pertama", "First response"),
    "opd_col_resolution": ("Penyelesaian", "Resolution"),
    "opd_med_p90": ("median · p90", "median · p90"),
    "card_close": ("Tutup ✕", "Close ✕"),
    "card_reported": ("Dilaporkan {when} WIB · {source}", "Reported {when} WIB · {source}"),
    "card_opd": ("Ditangani: {opd}", "Handled by: {opd}"),
    "card_sla_response": ("Respons pertama", "First response"),
    "card_sla_resolution": ("Penyelesaian", "Resolution"),
    "card_due": ("batas {when} WIB", "due {when} WIB"),
    "card_met": ("tepat waktu", "on time"),
    "card_missed": ("terlambat", "late"),
    "card_running_late": ("lewat batas", "overdue"),
    "card_running": ("berjalan", "running"),
    "card_history": ("Riwayat", "History"),
    "card_evidence": ("Bukti penanganan", "Evidence"),
    "card_photo": ("Foto {n}", "Photo {n}"),
    "card_video": ("Video {n}", "Video {n}"),
    "card_missing": ("Laporan tidak ditemukan.", "Report not found."),
    "event_created": ("Laporan masuk", "Report received"),
    "event_reassigned": ("Dialihkan ke OPD lain", "Reassigned to another agency"),
    "event_reopened": ("Dibuka kembali", "Reopened"),
    "event_comment": ("Komentar", "Comment"),
    "vacc_no_population": ("cakupan: angka penduduk resmi belum ada", "coverage: no official population figure"),
    "legend_demo": ("DEMO: angka simulasi", "DEMO: simulated figures"),
    "nav_wall": ("Peta & laporan", "Map & reports"),
    "nav_indicators": ("Indikator & pilar", "Indicators & pillars"),
    "ind_title": ("Indikator kota menurut enam pilar Smart City", "City indicators by the six Smart City pillars"),
    "ind_scope": (
        "Angka kota; rincian per wilayah dan per tahun di tiap kartu. Warna: capaian terhadap ambang tiap indikator.",
        "City figures; per area and per year inside each card. Colour: progress against each indicator's thresholds.",
    ),
    "export_csv": ("Unduh CSV", "Download CSV"),
    "export_xlsx": ("Unduh XLSX", "Download XLSX"),
    "export_history": ("Riwayat lengkap (CSV)", "Full history (CSV)"),
    "loading": ("memuat…", "loading…"),
    "pillar_governance": ("Smart Governance · tata kelola", "Smart Governance"),
    "pillar_branding": ("Smart Branding · citra kota", "Smart Branding"),
    "pillar_economy": ("Smart Economy · ekonomi", "Smart Economy"),
    "pillar_living": ("Smart Living · kualitas hidup", "Smart Living"),
    "pillar_society": ("Smart Society · masyarakat", "Smart Society"),
    "pillar_environment": ("Smart Environment · lingkungan", "Smart Environment"),
    "pillar_no_indicators": (
        "Belum ada indikator untuk pilar ini; layanan pengaduan OPD-nya di bawah.",
        "No indicator for this pillar yet; its agencies' complaint handling is below.",
    ),
    "ind_coverage": ("{pct} dari penduduk {value} ({period})", "{pct} of a population of {value} ({period})"),
    "ind_of_target": ("{pct} dari target {target}{period}", "{pct} of the target {target}{period}"),
    "ind_not_reported": (
        "Target {target} ({period}); realisasi belum dilaporkan",
        "Target {target} ({period}); realisation not reported yet",
    ),
    "ind_col_period": ("Tahun", "Year"),
    "ind_col_target": ("Target", "Target"),
    "ind_col_value": ("Realisasi", "Done"),
    "ind_col_area": ("Wilayah", "Area"),
    "ind_col_subject": ("Rincian", "Item"),
    "ind_col_as_of": ("Per", "As of"),
    "ind_by_area": ("Per wilayah ({n})", "By area ({n})"),
    "ind_demo": (
        "DEMO: sebagian angka disimulasikan (baris bertanda DEMO)",
        "DEMO: some figures are simulated (rows marked DEMO)",
    ),
    "figure_stale_cadence": (
        "▲ Lewat jadwal pembaruan: {days} hari (jadwal tiap {cadence} hari)",
        "▲ Past its update cadence: {days} days (expected every {cadence} days)",
    ),
    "pillar_short_governance": ("Governance", "Governance"),
    "pillar_short_branding": ("Branding", "Branding"),
    "pillar_short_economy": ("Economy", "Economy"),
    "pillar_short_living": ("Living", "Living"),
    "pillar_short_society": ("Society", "Society"),
    "pillar_short_environment": ("Environment", "Environment"),
    "sla_breached": ("LEWAT SLA", "OVERDUE"),
    "sla_soon": ("HAMPIR SLA", "DUE SOON"),
    "opd_empty": (
        "Belum ada laporan untuk OPD mana pun di wilayah ini.",
        "No reports for any agency in this area yet.",
    ),
    "opd_note": (
        "Waktu: {days} hari terakhir. Lewat SLA: {b} · hampir lewat: {w}",
        "Times: last {days} days. Overdue: {b} · due soon: {w}",
    ),
    "pillar_opd_area": (
        "Pengaduan ke OPD pilar ini, {area} ({days} hari)",
        "Complaints to this pillar's agencies, {area} ({days} days)",
    ),
    "area_city": ("seluruh kota", "whole city"),
    "area_kecamatan": ("Kecamatan {name}", "Kecamatan {name}"),
    "pillar_col_opd": ("OPD", "Agency"),
    "pillar_col_open": ("Terbuka", "Open"),
    "pillar_col_breached": ("Lewat SLA", "Overdue"),
    "pillar_col_resolution": ("Median selesai", "Median to resolve"),
    "pillar_none": ("Belum ada pengaduan ke OPD pilar ini.", "No complaints to this pillar's agencies yet."),
    # signing in, roles, the header's account
    "signin_title": ("Masuk ke LIVE Room", "Sign in to the LIVE Room"),
    "signin_user": ("Nama pengguna", "Username"),
    "signin_password": ("Kata sandi", "Password"),
    "signin_submit": ("Masuk", "Sign in"),
    "signin_wrong": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "signin_locked": (
        "Akun dikunci sementara setelah terlalu banyak percobaan gagal. Coba lagi setelah {time} WIB.",
        "This account is locked for a while after too many failed attempts. Try again after {time} WIB.",
    ),
    "signin_link_used": (
        "Tautan masuk ini sudah dipakai, kedaluwarsa, atau tidak dikenal. Minta tautan baru kepada admin.",
        "This sign-in link has been used, has expired, or is unknown. Ask an admin for a new one.",
    ),
    "signin_pair_failed": (
        "Tautan pemasangan layar sudah dipakai, kedaluwarsa, atau tidak dikenal.",
        "This screen-pairing link has been used, has expired, or is unknown.",
    ),
    "signin_too_many": (
        "Terlalu banyak percobaan masuk dari alamat ini. Coba lagi beberapa menit lagi.",
        "Too many sign-in attempts from this address. Try again in a few minutes.",
    ),
    "signin_signed_out": ("Anda telah keluar.", "You have signed out."),
    "signin_note": (
        "Hanya untuk petugas dan pimpinan Kota Tangerang. Setiap akses dicatat.",
        "For Kota Tangerang staff and leaders only. Every access is logged.",
    ),
    "signout": ("Keluar", "Sign out"),
    "role_pimpinan": ("Pimpinan", "Leadership"),
    "role_operator": ("Operator", "Operator"),
    "role_opd": ("OPD", "Agency"),
    "role_penilai": ("Penilai", "Assessor"),
    "role_admin": ("Admin", "Admin"),
    "role_layar": ("Layar", "Screen"),
    "scope_opd": ("Laporan {opd}", "{opd} reports"),
    "forbidden": ("Halaman ini tidak untuk peran Anda.", "This page is not for your role."),
    "event_escalated": ("Dieskalasi ke pimpinan", "Escalated to leadership"),
    "card_reporter": ("Pelapor: {name} · {phone}", "Reporter: {name} · {phone}"),
    "card_reporter_none": ("Pelapor tidak meninggalkan kontak", "The reporter left no contact"),
    "act_title": ("Tindakan", "Actions"),
    "act_opd": ("OPD tujuan", "Agency"),
    "act_forward": ("Teruskan ke OPD", "Forward to agency"),
    "act_note": ("Catatan atau alasan", "Note or reason"),
    "act_dup_of": ("ID laporan asli", "Original report's id"),
    "act_duplicate": ("Tandai duplikat", "Mark duplicate"),
    "act_reject": ("Tolak (dengan alasan)", "Refuse (with reason)"),
    "act_escalate": ("Eskalasi ke pimpinan", "Escalate to leadership"),
    "act_process": ("Mulai proses", "Start work"),
    "act_upload": ("Unggah foto/video bukti", "Upload photo/video evidence"),
    "act_evidence_url": ("atau URL bukti (https://…)", "or an evidence URL (https://…)"),
    "act_resolve": ("Selesai dengan bukti", "Resolve with evidence"),
    "act_done_forward": ("Diteruskan ke {opd}.", "Forwarded to {opd}."),
    "act_done_duplicate": ("Ditandai duplikat.", "Marked duplicate."),
    "act_done_reject": ("Ditolak.", "Refused."),
    "act_done_escalate": ("Dieskalasi ke pimpinan.", "Escalated to leadership."),
    "act_done_process": ("Diproses.", "In progress."),
    "act_done_resolve": ("Selesai, bukti tersimpan.", "Resolved, evidence stored."),
    "act_refused": ("Tidak tersimpan: {reason}", "Not saved: {reason}"),
    # the report browser (/laporan) and one report's page (/laporan/<id>)
    "nav_reports": ("Daftar laporan", "Reports"),
    "rp_back": ("← Daftar laporan", "← Reports"),
    "rp_print": ("Versi cetak", "Print view"),
    "rp_screen": ("Versi layar", "Screen view"),
    "rp_id": ("ID laporan", "Report id"),
    "rp_source": ("Sumber", "Source"),
    "rp_reported": ("Dilaporkan", "Reported"),
    "rp_received": ("Diterima sistem", "Received"),
    "rp_place": ("Lokasi", "Place"),
    "rp_category": ("Kategori", "Category"),
    "rp_opd": ("OPD", "Agency"),
    "rp_no_opd": ("belum diteruskan", "not yet forwarded"),
    "rp_before": ("Foto/video dari warga", "The citizen's photos and videos"),
    "rp_after": ("Bukti penanganan", "Closing evidence"),
    "rp_no_media": ("Warga tidak melampirkan foto atau video.", "The citizen attached no photo or video."),
    "rp_no_evidence": ("Belum ada bukti penanganan.", "No closing evidence yet."),
    "rp_map": ("Lokasi di Kecamatan {name}", "Place in Kecamatan {name}"),
    "rp_map_note": (
        "Sketsa batas {kind}; titik = lokasi laporan.",
        "Sketch from {kind} boundaries; the dot is the report.",
    ),
    "rp_boundary_schematic": ("skematik", "schematic"),
    "rp_boundary_official": ("resmi", "official"),
    "rp_no_place": ("Lokasi di luar peta kecamatan.", "The place lies outside the kecamatan map."),
    "rp_timeline": ("Riwayat status", "Status timeline"),
    "rp_duplicates": ("Laporan duplikat dari laporan ini", "Reports marked as duplicates of this one"),
    "rp_duplicate_of": ("Duplikat dari", "Duplicate of"),
    "rp_printed": ("Dibuka {when} WIB oleh {name}", "Opened {when} WIB by {name}"),
    "rp_not_found": (
        "Laporan {ref} tidak ditemukan, atau bukan wewenang akun ini.",
        "No report {ref} that this account may see.",
    ),
    "rp_no_reports_role": (
        "Peran ini melihat angka agregat, bukan laporan satu per satu.",
        "This role sees aggregates, not single reports.",
    ),
    "rp_actor_system": ("sistem", "system"),
    "rp_open_page": ("Buka halaman laporan", "Open the report's page"),
    "lb_title": ("Daftar laporan", "Reports"),
    "lb_status": ("Status", "Status"),
    "lb_category": ("Kategori", "Category"),
    "lb_opd": ("OPD", "Agency"),
    "lb_kecamatan": ("Kecamatan", "Kecamatan"),
    "lb_kelurahan": ("Kelurahan", "Kelurahan"),
    "lb_source": ("Sumber", "Source"),
    "lb_from": ("Dari tanggal", "From"),
    "lb_to": ("Sampai tanggal", "To"),
    "lb_sla": ("SLA", "SLA"),
    "lb_sla_any": ("Semua", "Any"),
    # the words Dash's dropdown shows of its own (dropdown_labels)
    "dd_select_all": ("Pilih semua", "Select all"),
    "dd_deselect_all": ("Batalkan semua", "Deselect all"),
    "dd_selected_count": ("{num_selected} dipilih", "{num_selected} selected"),
    "dd_search": ("Cari", "Search"),
    "dd_clear_search": ("Hapus pencarian", "Clear search"),
    "dd_clear_selection": ("Hapus pilihan", "Clear selection"),
    "dd_no_options": ("Tidak ada pilihan yang cocok", "No options found"),
    "lb_sla_overdue": ("Lewat SLA", "Overdue"),
    "lb_sla_soon": ("Hampir lewat", "Due soon"),
    "lb_q": ("Cari ID, judul, isi", "Search id, title, text"),
    "lb_all": ("Semua", "All"),
    "lb_reset": ("Hapus filter", "Clear filters"),
    "lb_map": ("Tampilkan di peta", "Show on the map"),
    "lb_table": ("Tampilkan tabel", "Show the table"),
    "lb_export_csv": ("Unduh CSV", "Download CSV"),
    "lb_export_xlsx": ("Unduh XLSX", "Download XLSX"),
    "lb_count": ("{n} laporan", "{n} reports"),
    "lb_count_many": ("lebih dari {n} laporan", "more than {n} reports"),
    "lb_new_rows": ("{n} laporan baru masuk sejak halaman dibuka", "{n} new reports since the page opened"),
    "lb_map_capped": ("{shown} terbaru dari {total} di peta", "newest {shown} of {total} on the map"),
    "lb_bad_filter": ("Filter tidak dikenali: {reason}", "Filter not understood: {reason}"),
    "col_ref": ("ID", "Id"),
    "col_time": ("Waktu (WIB)", "Time (WIB)"),
    "col_status": ("Status", "Status"),
    "col_title": ("Judul", "Title"),
    "col_category": ("Kategori", "Category"),
    "col_place": ("Kecamatan / kelurahan", "Kecamatan / kelurahan"),
    "col_opd": ("OPD", "Agency"),
    "col_sla": ("SLA", "SLA"),
    "col_evidence": ("Bukti", "Evidence"),
    "sla_left": ("sisa {d}", "{d} left"),
    "sla_over": ("lewat {d}", "overdue by {d}"),
    "sla_closed_met": ("tepat waktu", "on time"),
    "sla_closed_missed": ("terlambat", "late"),
    "evidence_yes": ("ada", "yes"),
    "evidence_no": ("–", "–"),
    "row_new": ("BARU MASUK", "JUST IN"),
    "lb_loading": ("Memuat…", "Loading…"),
    "lb_filters": ("Filter", "Filters"),
    "lb_filters_active": ("Filter · {n} aktif", "Filters · {n} set"),
    "lb_no_rows": ("Tidak ada laporan yang cocok dengan filter ini.", "No reports match these filters."),
}

# A report's status is told by glyph and word, never by colour alone.
STATUS_GLYPHS = {"baru": "!", "diproses": "…", "selesai": "✓", "ditolak": "×", "duplikat": "="}

DURATION_UNITS = {"id": ("hari", "jam", "menit", "detik"), "en": ("d", "h", "min", "s")}


# The words the browser draws with (ticker, OPD table, map tooltips, the pillars' complaint tables).
BROWSER_KEYS = (
    "status_baru",
    "status_diproses",
    "status_selesai",
    "status_ditolak",
    "status_duplikat",
    "ticker_empty",
    "demo_tag",
    "sla_breached",
    "sla_soon",
    "opd_empty",
    "opd_note",
    "pillar_opd_area",
    "area_city",
    "area_kecamatan",
    "pillar_col_opd",
    "pillar_col_open",
    "pillar_col_breached",
    "pillar_col_resolution",
    "pillar_none",
    "kpi_ttfr_window",
    "no_data",
    "markers_capped",
    "updated",
    "live_ok",
    "live_redis_down",
    "live_worker_down",
    "feed_stale",
    "live_cut",
    "scene_peta",
    "scene_opd",
    "scene_vaksin",
    "scene_indikator",
    "scene_pinned",
    "clock_local",
    "data_age",
    "replay_banner",
    "replay_done",
    "replay_error",
    "replay_live",
    "replay_ttfr",
)


def browser_words() -> dict:
    """{"id": {key: text}, "en": {...}, "units": {lang: [day, hour, minute, second]}, "glyphs": {status: glyph},
    "timezone": the IANA name of WIB}."""
    words = {lang: {key: t(key, lang) for key in BROWSER_KEYS} for lang in LANGS}
    return {**words, "units": DURATION_UNITS, "glyphs": STATUS_GLYPHS, "timezone": WIB.key}


def dropdown_labels(lang: str) -> dict[str, str]:
    """What dcc.Dropdown says of its own ("2 selected", "Select All"), in the page's language (its `labels`)."""
    keys = {
        "select_all": "dd_select_all",
        "deselect_all": "dd_deselect_all",
        "selected_count": "dd_selected_count",
        "search": "dd_search",
        "clear_search": "dd_clear_search",
        "clear_selection": "dd_clear_selection",
        "no_options_found": "dd_no_options",
    }
    return {label: t(key, lang) for label, key in keys.items()}


def t(key: str, lang: str, **kwargs) -> str:
    text = STRINGS[key][1 if lang == "en" else 0]
    return text.format(**kwargs) if kwargs else text


def fmt_int(n: int | float | None, lang: str = "id") -> str:
    if n is None:
        return "–"
    if not math.isfinite(n) or abs(n) >= 1e21:  # beyond what Babel's decimal context formats: never a screen's error
        return f"{n:.3g}"
    return format_decimal(n, locale=LOCALES.get(lang, "id_ID"), decimal_quantization=False)


def fmt_figure(n: int | float | None, lang: str = "id", compact: bool = False) -> str:
    """An indicator figure: every digit (2.130.166; 92,6), or in words for money-sized ones (1 triliun)."""
    if n is None or not compact:
        return fmt_int(n, lang)
    return format_compact_decimal(n, format_type="long", locale=LOCALES.get(lang, "id_ID"), fraction_digits=1)


def fmt_date(value: str | date, lang: str = "id") -> str:
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(d, format="long", locale=LOCALES.get(lang, "id_ID"))


def fmt_time(value: str | datetime | None, lang: str = "id", seconds: bool = False) -> str:
    if value is None:
        return "–"
    dt = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return format_time(dt.astimezone(WIB), "HH:mm:ss" if seconds else "HH:mm", locale=LOCALES.get(lang, "id_ID"))


def fmt_pct(share: float | None, lang: str = "id") -> str:
    """110,5 % (Babel's percent format for the locale, one decimal)."""
    if share is None:
        return "–"
    if not math.isfinite(share) or abs(share) >= 1e18:
        return f"{share * 100:.3g} %"
    return format_percent(share, format="#,##0.0 %", locale=LOCALES.get(lang, "id_ID"))


def population_period(label: str | None, lang: str = "id") -> str:
    """The population table's reference period, in the reader's language."""
    label = label or ""
    if m := re.match(r"mid-(\d{4}) \(BPS projection\)", label):
        return f"proyeksi BPS pertengahan {m[1]}" if lang == "id" else f"BPS projection, mid-{m[1]}"
    if m := re.match(r"SP(\d{4})", label):
        return f"Sensus Penduduk {m[1]}" if lang == "id" else f"{m[1]} census"
    return label


def fmt_datetime(value: str | datetime | None, lang: str = "id") -> str:
    """'23 Nov 2026 08.30' in WIB: for a report's own times, which may be days old."""
    if value is None:
        return "–"
    dt = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    local = dt.astimezone(WIB)
    return f"{format_date(local, format='medium', locale=LOCALES.get(lang, 'id_ID'))} {fmt_time(local, lang)}"


def fmt_duration(seconds: float | None, lang: str = "id") -> str:
    """Short enough for a tile: '2 hari 3 jam', '1 jam 25 menit', '56 menit', '40 detik'.
    assets/liveroom.js `duration` writes the same form in the browser (the OPD table)."""
    if seconds is None:
        return "–"
    d_, h_, m_, s_ = DURATION_UNITS.get(lang, DURATION_UNITS["id"])
    total = int(round(seconds))
    days, hours, minutes = total // 86400, total % 86400 // 3600, total % 3600 // 60
    if days:
        parts = [(days, d_), (hours, h_)]
    elif hours:
        parts = [(hours, h_), (minutes, m_)]
    elif minutes:
        parts = [(minutes, m_)]
    else:
        parts = [(total, s_)]
    return " ".join(f"{v} {u}" for v, u in parts if v or len(parts) == 1)
