"""The words of the documents to file: the assessors' evidence pack and the morning briefing."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # key: (Bahasa Indonesia, English)
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
    "pack_col_satisfaction": ("Kepuasan warga", "Citizens' rating"),
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
}
