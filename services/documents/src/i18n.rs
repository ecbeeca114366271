//! The documents interlinker's pages in the platform's four languages,
//! chosen from the browser's `Accept-Language` (the platform frames the
//! pages, so the browser asks as it asks the platform).

use axum::http::{HeaderMap, header};

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    En,
    /// Spanish.
    Es,
    /// Italian.
    It,
    /// Latvian.
    Lv,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Es, Lang::It, Lang::Lv];

    /// Its BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::It => "it",
            Lang::Lv => "lv",
        }
    }

    /// The best of the four for an `Accept-Language` value (by quality,
    /// then order; English when none fits).
    pub fn negotiate(accept: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (order, range) in accept.split(',').enumerate() {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            let Some(lang) = Lang::ALL.into_iter().find(|l| l.tag() == primary) else {
                continue;
            };
            if quality <= 0.0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((q, o, _)) => quality > q || (quality == q && order < o),
            };
            if better {
                best = Some((quality, order, lang));
            }
        }
        best.map_or(Lang::En, |(_, _, lang)| lang)
    }

    /// The language a request's browser asks for.
    pub fn of(headers: &HeaderMap) -> Lang {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::En, Lang::negotiate)
    }

    /// The words of the pages in this language.
    pub fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
            Lang::It => &IT,
            Lang::Lv => &LV,
        }
    }
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Every text of the pages; `{…}` marks what [`fill`] puts in.
#[derive(Debug)]
pub struct Words {
    pub site: &'static str,
    pub new_document: &'static str,
    pub title_label: &'static str,
    pub create: &'static str,
    pub problem: &'static str,
    pub error_prefix: &'static str,
    pub created_heading: &'static str,
    pub ready: &'static str,
    pub write_now: &'static str,
    pub saved: &'static str,
    pub meta: &'static str,
    pub actions_label: &'static str,
    pub edit: &'static str,
    pub history: &'static str,
    pub download_md: &'static str,
    pub download_html: &'static str,
    pub edit_heading: &'static str,
    pub text_label: &'static str,
    pub markdown_hint: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub stale: &'static str,
    pub compare: &'static str,
    pub history_heading: &'static str,
    pub restored: &'static str,
    pub revision: &'static str,
    pub current: &'static str,
    pub restores: &'static str,
    pub text_of: &'static str,
    pub restore: &'static str,
    pub back: &'static str,
    pub unauthenticated_heading: &'static str,
    pub unauthenticated_text: &'static str,
    pub not_found_heading: &'static str,
    pub not_found_text: &'static str,
    pub failed_heading: &'static str,
    pub failed_text: &'static str,
    pub refused_heading: &'static str,
    pub cross_origin: &'static str,
    pub title_blank: &'static str,
    pub title_too_long: &'static str,
    pub title_not_a_line: &'static str,
    pub body_too_large: &'static str,
    pub body_control: &'static str,
}

const EN: Words = Words {
    site: "Interlink documents",
    new_document: "New document",
    title_label: "Title",
    create: "Create the document",
    problem: "There is a problem",
    error_prefix: "Error",
    created_heading: "Document created",
    ready: "“{title}” is ready.",
    write_now: "Write it now",
    saved: "Saved as revision {n}.",
    meta: "Revision {n} · last saved by {name} on {date} (UTC)",
    actions_label: "This document",
    edit: "Edit",
    history: "History",
    download_md: "Download as Markdown",
    download_html: "Download as HTML",
    edit_heading: "Edit “{title}”",
    text_label: "Text",
    markdown_hint: "Markdown: # for headings, - for lists, [words](https://…) for links.",
    save: "Save",
    cancel: "Cancel",
    stale: "Someone saved this document while you were editing it (now revision {n}). Your text is kept below.",
    compare: "Compare it with the current text",
    history_heading: "History of “{title}”",
    restored: "Restored as revision {n}.",
    revision: "Revision {n}",
    current: "(current)",
    restores: "restores revision {n}",
    text_of: "Text of revision {n}",
    restore: "Restore revision {n}",
    back: "Back to the document",
    unauthenticated_heading: "Open this from Interlink",
    unauthenticated_text: "This page opens from a process's resources on Interlink, which signs you in here.",
    not_found_heading: "Not found",
    not_found_text: "There is no such document: it may have been deleted.",
    failed_heading: "Something went wrong",
    failed_text: "The document could not be opened or saved. Please try again.",
    refused_heading: "This cannot be done",
    cross_origin: "Forms are accepted from this interlinker's own pages only.",
    title_blank: "Enter a title",
    title_too_long: "The title can have at most 200 characters",
    title_not_a_line: "The title must be one line without control characters",
    body_too_large: "The text can be at most 512 KB",
    body_control: "The text must not contain control characters",
};

const ES: Words = Words {
    site: "Documentos de Interlink",
    new_document: "Nuevo documento",
    title_label: "Título",
    create: "Crear el documento",
    problem: "Hay un problema",
    error_prefix: "Error",
    created_heading: "Documento creado",
    ready: "«{title}» está listo.",
    write_now: "Escribirlo ahora",
    saved: "Guardado como revisión {n}.",
    meta: "Revisión {n} · guardada por última vez por {name} el {date} (UTC)",
    actions_label: "Este documento",
    edit: "Editar",
    history: "Historial",
    download_md: "Descargar en Markdown",
    download_html: "Descargar en HTML",
    edit_heading: "Editar «{title}»",
    text_label: "Texto",
    markdown_hint: "Markdown: # para títulos, - para listas, [palabras](https://…) para enlaces.",
    save: "Guardar",
    cancel: "Cancelar",
    stale: "Alguien guardó este documento mientras lo editabas (ahora revisión {n}). Tu texto se conserva abajo.",
    compare: "Compáralo con el texto actual",
    history_heading: "Historial de «{title}»",
    restored: "Restaurado como revisión {n}.",
    revision: "Revisión {n}",
    current: "(actual)",
    restores: "restaura la revisión {n}",
    text_of: "Texto de la revisión {n}",
    restore: "Restaurar la revisión {n}",
    back: "Volver al documento",
    unauthenticated_heading: "Ábrelo desde Interlink",
    unauthenticated_text: "Esta página se abre desde los recursos de un proceso en Interlink, que te identifica aquí.",
    not_found_heading: "No encontrado",
    not_found_text: "No existe ese documento: puede que se haya borrado.",
    failed_heading: "Algo ha fallado",
    failed_text: "No se pudo abrir ni guardar el documento. Inténtalo de nuevo.",
    refused_heading: "No se puede hacer",
    cross_origin: "Los formularios solo se aceptan desde las páginas de este interlinker.",
    title_blank: "Escribe un título",
    title_too_long: "El título puede tener como máximo 200 caracteres",
    title_not_a_line: "El título debe ser una sola línea sin caracteres de control",
    body_too_large: "El texto puede ocupar como máximo 512 KB",
    body_control: "El texto no debe contener caracteres de control",
};

const IT: Words = Words {
    site: "Documenti di Interlink",
    new_document: "Nuovo documento",
    title_label: "Titolo",
    create: "Crea il documento",
    problem: "C'è un problema",
    error_prefix: "Errore",
    created_heading: "Documento creato",
    ready: "«{title}» è pronto.",
    write_now: "Scrivilo ora",
    saved: "Salvato come revisione {n}.",
    meta: "Revisione {n} · salvata l'ultima volta da {name} il {date} (UTC)",
    actions_label: "Questo documento",
    edit: "Modifica",
    history: "Cronologia",
    download_md: "Scarica in Markdown",
    download_html: "Scarica in HTML",
    edit_heading: "Modifica «{title}»",
    text_label: "Testo",
    markdown_hint: "Markdown: # per i titoli, - per gli elenchi, [parole](https://…) per i link.",
    save: "Salva",
    cancel: "Annulla",
    stale: "Qualcuno ha salvato questo documento mentre lo modificavi (ora revisione {n}). Il tuo testo è conservato qui sotto.",
    compare: "Confrontalo con il testo attuale",
    history_heading: "Cronologia di «{title}»",
    restored: "Ripristinato come revisione {n}.",
    revision: "Revisione {n}",
    current: "(attuale)",
    restores: "ripristina la revisione {n}",
    text_of: "Testo della revisione {n}",
    restore: "Ripristina la revisione {n}",
    back: "Torna al documento",
    unauthenticated_heading: "Aprilo da Interlink",
    unauthenticated_text: "Questa pagina si apre dalle risorse di un processo su Interlink, che ti fa accedere qui.",
    not_found_heading: "Non trovato",
    not_found_text: "Questo documento non esiste: potrebbe essere stato eliminato.",
    failed_heading: "Qualcosa è andato storto",
    failed_text: "Non è stato possibile aprire o salvare il documento. Riprova.",
    refused_heading: "Non si può fare",
    cross_origin: "I moduli sono accettati solo dalle pagine di questo interlinker.",
    title_blank: "Inserisci un titolo",
    title_too_long: "Il titolo può avere al massimo 200 caratteri",
    title_not_a_line: "Il titolo deve essere una sola riga senza caratteri di controllo",
    body_too_large: "Il testo può occupare al massimo 512 KB",
    body_control: "Il testo non deve contenere caratteri di controllo",
};

const LV: Words = Words {
    site: "Interlink dokumenti",
    new_document: "Jauns dokuments",
    title_label: "Nosaukums",
    create: "Izveidot dokumentu",
    problem: "Radās problēma",
    error_prefix: "Kļūda",
    created_heading: "Dokuments izveidots",
    ready: "“{title}” ir gatavs.",
    write_now: "Rakstīt tagad",
    saved: "Saglabāts kā {n}. redakcija.",
    meta: "{n}. redakcija · pēdējo reizi saglabāja {name} {date} (UTC)",
    actions_label: "Šis dokuments",
    edit: "Rediģēt",
    history: "Vēsture",
    download_md: "Lejupielādēt Markdown formātā",
    download_html: "Lejupielādēt HTML formātā",
    edit_heading: "Rediģēt “{title}”",
    text_label: "Teksts",
    markdown_hint: "Markdown: # virsrakstiem, - sarakstiem, [vārdi](https://…) saitēm.",
    save: "Saglabāt",
    cancel: "Atcelt",
    stale: "Kāds saglabāja šo dokumentu, kamēr jūs to rediģējāt (tagad {n}. redakcija). Jūsu teksts ir saglabāts zemāk.",
    compare: "Salīdziniet to ar pašreizējo tekstu",
    history_heading: "“{title}” vēsture",
    restored: "Atjaunots kā {n}. redakcija.",
    revision: "{n}. redakcija",
    current: "(pašreizējā)",
    restores: "atjauno {n}. redakciju",
    text_of: "{n}. redakcijas teksts",
    restore: "Atjaunot {n}. redakciju",
    back: "Atpakaļ uz dokumentu",
    unauthenticated_heading: "Atveriet to no Interlink",
    unauthenticated_text: "Šī lapa tiek atvērta no procesa resursiem Interlink, kas jūs šeit pieraksta.",
    not_found_heading: "Nav atrasts",
    not_found_text: "Šāda dokumenta nav: iespējams, tas ir dzēsts.",
    failed_heading: "Kaut kas nogāja greizi",
    failed_text: "Dokumentu neizdevās atvērt vai saglabāt. Lūdzu, mēģiniet vēlreiz.",
    refused_heading: "To nevar izdarīt",
    cross_origin: "Veidlapas tiek pieņemtas tikai no šī interlinker lapām.",
    title_blank: "Ievadiet nosaukumu",
    title_too_long: "Nosaukumā var būt ne vairāk kā 200 rakstzīmju",
    title_not_a_line: "Nosaukumam jābūt vienā rindā bez vadības rakstzīmēm",
    body_too_large: "Teksts var būt ne lielāks par 512 KB",
    body_control: "Tekstā nedrīkst būt vadības rakstzīmes",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_chooses_among_the_four() {
        assert_eq!(Lang::negotiate("es-ES,es;q=0.9,en;q=0.8"), Lang::Es);
        assert_eq!(Lang::negotiate("de-DE, it;q=0.5, lv;q=0.7"), Lang::Lv);
        assert_eq!(Lang::negotiate("fr, de"), Lang::En);
        assert_eq!(Lang::negotiate("lv;q=0, it"), Lang::It);
        assert_eq!(Lang::negotiate(""), Lang::En);
    }

    #[test]
    fn every_language_fills_the_same_places() {
        let places = |text: &str| {
            let mut names: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                .collect();
            names.sort();
            names
        };
        for lang in Lang::ALL {
            let (en, words) = (Lang::En.words(), lang.words());
            for (a, b) in [
                (en.ready, words.ready),
                (en.saved, words.saved),
                (en.meta, words.meta),
                (en.edit_heading, words.edit_heading),
                (en.stale, words.stale),
                (en.history_heading, words.history_heading),
                (en.restored, words.restored),
                (en.revision, words.revision),
                (en.restores, words.restores),
                (en.text_of, words.text_of),
                (en.restore, words.restore),
            ] {
                assert_eq!(places(a), places(b), "{}: {b}", lang.tag());
            }
        }
        assert_eq!(
            fill(
                Lang::Lv.words().meta,
                &[("n", "3"), ("name", "Ana"), ("date", "2026-12-06 18:20")]
            ),
            "3. redakcija · pēdējo reizi saglabāja Ana 2026-12-06 18:20 (UTC)"
        );
    }
}
