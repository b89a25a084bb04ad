"""The words of refusals a person reads: each problem said by its own words where the domain named them, else by
the field's label on the page; never an internal field name, never the machine's English on an Indonesian page."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # key: (Bahasa Indonesia, English)
    "refusal_generic": ("permintaan ini tidak dapat diterima", "this request cannot be accepted"),
    "refusal_field": (
        "isian \u201c{field}\u201d tidak dapat diterima",
        "the value of \u201c{field}\u201d cannot be accepted",
    ),
    "refuse_move": (
        "laporan berstatus {frm_status} tidak dapat dipindah ke {to_status}",
        "a report that is {frm_status} cannot be moved to {to_status}",
    ),
    "refuse_reassign_same": (
        "laporan sudah ditangani {opd}; pilih OPD lain untuk mengalihkannya",
        "the report is already handled by {opd}; choose another agency to reassign it",
    ),
    "refuse_reopen_note": (
        "membuka kembali laporan selesai memerlukan catatan mengapa perbaikannya tidak bertahan",
        "reopening a resolved report needs a note saying why the fix did not hold",
    ),
    "refuse_dup_self": ("laporan tidak dapat menjadi duplikat dirinya sendiri", "a report cannot duplicate itself"),
    "refuse_dup_missing": ("tidak ada laporan dengan ID {id}", "there is no report with id {id}"),
    "refuse_dup_chain": (
        "{id} sendiri duplikat dari {original}; tunjuk laporan itu",
        "{id} is itself a duplicate of {original}; point at that one",
    ),
    "refuse_reason_needed": ("penolakan memerlukan alasan", "refusing needs a reason"),
    "refuse_original_needed": (
        "menandai duplikat memerlukan ID laporan asli",
        "marking a duplicate needs the original report's id",
    ),
    "refuse_evidence_needed": (
        "selesai memerlukan setidaknya satu bukti foto atau video",
        "resolving needs at least one photo or video as evidence",
    ),
    "refuse_evidence_none": ("tidak ada berkas yang diterima", "no file was received"),
    "refuse_evidence_empty": ("berkas kosong", "the file is empty"),
    "refuse_evidence_large": (
        "berkas terlalu besar ({size} byte; paling banyak {max} byte)",
        "the file is too large ({size} bytes; at most {max})",
    ),
    "refuse_evidence_type": (
        "jenis berkas ini tidak diterima; yang diterima: JPEG, PNG, WebP, MP4, WebM, MOV",
        "this kind of file is not accepted; accepted: JPEG, PNG, WebP, MP4, WebM, MOV",
    ),
    "refuse_evidence_unreadable": (
        "berkas tidak dapat dibaca sebagai gambar atau video",
        "the file cannot be read as an image or a video",
    ),
    "refuse_evidence_pixels": (
        "foto terlalu besar (paling banyak {max} piksel)",
        "the photo is too large (at most {max} pixels)",
    ),
    "refuse_evidence_allowance": (
        "batas unggahan per jam untuk akun ini tercapai (paling banyak {files} berkas atau {max} byte per jam); "
        "coba lagi nanti",
        "this account's hourly upload allowance is used up (at most {files} files or {max} bytes an hour); "
        "try again later",
    ),
    "refuse_evidence_missing": (
        "berkas bukti itu tidak diunggah untuk laporan ini",
        "that evidence file was not uploaded for this report",
    ),
    "refuse_for_operators": ("tindakan ini untuk operator LIVE Room", "this action is for the LIVE Room's operators"),
    "refuse_for_agency": (
        "tindakan ini untuk OPD yang menangani laporan",
        "this action is for the agency handling the report",
    ),
    "refuse_screen_lists": (
        "layar dinding menampilkan dindingnya dan satu laporan sekali buka, bukan daftar laporan",
        "a wall screen shows its wall and one report at a time, not lists of reports",
    ),
    "refuse_rate_open": ("laporan dinilai setelah selesai", "a report is rated once it is resolved"),
    "refuse_no_review": ("tidak ada penilaian rendah yang menunggu tinjauan", "no low rating waits for review"),
    "refuse_note_needed": ("catatan perlu isinya", "a note needs its text"),
    "refuse_response_needed": ("tanggapan untuk warga perlu isinya", "a response to the citizen needs its text"),
    "refuse_assign_closed": (
        "laporan sudah ditutup; hanya laporan terbuka yang ditugaskan",
        "the report is closed; only an open report is assigned",
    ),
    "refuse_assignee_agency": (
        "{name} bukan petugas OPD yang menangani laporan ini",
        "{name} is not of the agency handling this report",
    ),
    "refuse_assignee_needed": ("pilih petugas OPD", "choose a person of the agency"),
    "refuse_started": (
        "laporan berstatus {from_status} sudah dikerjakan; untuk OPD lain, teruskan",
        "this report is {from_status} already; to hand it to another agency, forward it",
    ),
    "refuse_not_found": ("laporan tidak ditemukan", "the report was not found"),
    "refuse_unknown_opd": ("OPD itu tidak dikenal", "that agency is unknown"),
    "refuse_future": ("waktu itu belum terjadi", "that time is in the future"),
    "refuse_before_last": (
        "waktu itu sebelum kejadian terakhir laporan",
        "that time is before the report's last event",
    ),
    "field_evidence": ("Bukti", "Evidence"),
    "field_at": ("Waktu", "Time"),
}

# A problem's field -> the label a person sees for it (keys of the words tables); a field not here is not named.
FIELD_LABELS = {
    "status": "lb_status",
    "category": "lb_category",
    "opd": "act_opd",
    "kecamatan": "lb_kecamatan",
    "kelurahan": "lb_kelurahan",
    "source": "lb_source",
    "from": "lb_from",
    "to": "lb_to",
    "sla": "lb_sla",
    "q": "lb_q",
    "note": "act_note",
    "duplicate_of": "act_dup_of",
    "evidence": "field_evidence",
    "at": "field_at",
}
