//! The catalogue: its ranked search with filters (nature, problem
//! profiles, language, minimum rating, the deployment an entry comes from)
//! showing how many interlinkers each choice would leave, in pages, each
//! mirror of another deployment's entry marked with where it is from; and
//! the problem profiles by family. The
//! filters are a plain GET form, so they work without JavaScript and every
//! filtered search has an address to share.

use askama::Template;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use fluent_bundle::FluentValue;
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;

use crate::pages::{
    PageCtx, Shown, form_urlencoded_component, nature_message, page, problem, shown, web_pages,
};
use crate::{Lang, Shared, WebState};

const PAGE_SIZE: i32 = 20;
const SUMMARY_CHARS: usize = 300;
/// The most values of one filter a search takes (the catalogue's limit).
const MAX_VALUES: usize = 50;
/// The longest deployment address an origin filter takes.
const MAX_ORIGIN_CHARS: usize = 2000;
/// The origin filter's value for this deployment's own entries.
const LOCAL: &str = "local";

/// The natures as the filter's values name them, in the order shown.
const NATURES: [(&str, catalogue::Nature); 4] = [
    ("software", catalogue::Nature::Software),
    ("knowledge", catalogue::Nature::Knowledge),
    ("external-software", catalogue::Nature::ExternalSoftware),
    ("external-knowledge", catalogue::Nature::ExternalKnowledge),
];

/// The problem profiles' families, in the order of a co-production.
const FAMILIES: [&str; 7] = [
    "organisational",
    "understanding",
    "definition",
    "building",
    "validation",
    "sustainability",
    "hackathon",
];

/// The catalogue's client.
fn catalogue_client(state: &WebState) -> CatalogueServiceClient<crate::Channel> {
    CatalogueServiceClient::new(state.services.catalogue.clone())
}

/// A search as its address says: `q`, then any number of `nature`,
/// `profile`, `language` and `origin` (`local`, or a deployment's
/// address), at most one `rating` (1–4) and `page`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Search {
    pub(crate) q: String,
    natures: Vec<&'static str>,
    profiles: Vec<String>,
    languages: Vec<String>,
    origins: Vec<String>,
    rating: Option<u8>,
    page: String,
}

impl Search {
    /// The search of a query string; `Err` names the value not understood
    /// (what the catalogue says of a bad value, in its words).
    pub(crate) fn parse(query: Option<&str>) -> Result<Self, tonic::Status> {
        let mut search = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "q" => search.q = value.to_owned(),
                "page" => search.page = value.to_owned(),
                "nature" => match NATURES.iter().find(|(name, _)| *name == value) {
                    Some((name, _)) if !search.natures.contains(name) => search.natures.push(name),
                    Some(_) => {}
                    None => {
                        return Err(tonic::Status::invalid_argument(
                            "nature: must be software, knowledge, external-software or external-knowledge",
                        ));
                    }
                },
                "profile" if !value.is_empty() && !search.profiles.iter().any(|p| p == value) => {
                    search.profiles.push(value.to_owned());
                }
                "language" if !value.is_empty() && !search.languages.iter().any(|l| l == value) => {
                    search.languages.push(value.to_owned());
                }
                "origin" if value.chars().count() > MAX_ORIGIN_CHARS => {
                    return Err(tonic::Status::invalid_argument(format!(
                        "origin: at most {MAX_ORIGIN_CHARS} characters"
                    )));
                }
                "origin" if !value.is_empty() && !search.origins.iter().any(|o| o == value) => {
                    search.origins.push(value.to_owned());
                }
                "rating" if !value.is_empty() => match value.parse::<u8>() {
                    Ok(stars @ 1..=4) => search.rating = Some(stars),
                    _ => {
                        return Err(tonic::Status::invalid_argument(
                            "rating: must be a whole number of stars from 1 to 4",
                        ));
                    }
                },
                _ => {}
            }
        }
        for (field, count) in [
            ("profile", search.profiles.len()),
            ("language", search.languages.len()),
            ("origin", search.origins.len()),
        ] {
            if count > MAX_VALUES {
                return Err(tonic::Status::invalid_argument(format!(
                    "{field}: at most {MAX_VALUES} values"
                )));
            }
        }
        Ok(search)
    }

    /// Whether any filter is chosen.
    fn filtered(&self) -> bool {
        !self.natures.is_empty()
            || !self.profiles.is_empty()
            || !self.languages.is_empty()
            || !self.origins.is_empty()
            || self.rating.is_some()
    }

    /// The catalogue's request for this search.
    fn request(&self) -> catalogue::SearchInterlinkersRequest {
        catalogue::SearchInterlinkersRequest {
            query: self.q.clone(),
            natures: NATURES
                .iter()
                .filter(|(name, _)| self.natures.contains(name))
                .map(|(_, nature)| *nature as i32)
                .collect(),
            problem_profiles: self.profiles.clone(),
            languages: self.languages.clone(),
            min_rating: self.rating.map_or(0.0, f64::from),
            page_size: PAGE_SIZE,
            page_token: self.page.clone(),
            origins: self.origins.clone(),
            ..Default::default()
        }
    }

    /// `/catalogue?…` for this search at `page` (none: the first).
    fn href(&self, page: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", &self.q));
        }
        pairs.extend(self.natures.iter().map(|n| ("nature", *n)));
        pairs.extend(self.profiles.iter().map(|p| ("profile", p.as_str())));
        pairs.extend(self.languages.iter().map(|l| ("language", l.as_str())));
        pairs.extend(self.origins.iter().map(|o| ("origin", o.as_str())));
        let rating = self.rating.map(|r| r.to_string());
        if let Some(rating) = &rating {
            pairs.push(("rating", rating));
        }
        if let Some(page) = page {
            pairs.push(("page", page));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", form_urlencoded_component(v)))
            .collect();
        if query.is_empty() {
            "/catalogue".to_owned()
        } else {
            format!("/catalogue?{}", query.join("&"))
        }
    }
}

pub(crate) struct ResultRow {
    pub(crate) href: String,
    pub(crate) title: Shown,
    pub(crate) summary: Shown,
    pub(crate) nature: String,
    /// "From …" on another deployment's entry.
    pub(crate) origin: Option<String>,
}

/// One choice of a filter: its value, its words with the count of
/// interlinkers it would leave, and whether it is chosen.
pub(crate) struct FilterChoice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) label_lang: Option<String>,
    pub(crate) checked: bool,
}

/// The problem profiles of one family among the filters.
pub(crate) struct FamilyChoices {
    pub(crate) legend: String,
    pub(crate) choices: Vec<FilterChoice>,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    ctx: PageCtx,
    query: String,
    count: String,
    results: Vec<ResultRow>,
    next_page: Option<String>,
    filtered: bool,
    clear_href: String,
    natures: Vec<FilterChoice>,
    languages: Vec<FilterChoice>,
    ratings: Vec<FilterChoice>,
    families: Vec<FamilyChoices>,
    /// This deployment and each other one entries come from (none when
    /// every entry is this deployment's).
    origins: Vec<FilterChoice>,
}

web_pages!(CataloguePage, ProblemProfilesPage);

/// How many hits each value of `field` would have.
fn facet_counts<'a>(facets: &'a [catalogue::Facet], field: &str) -> Vec<(&'a str, i64)> {
    facets
        .iter()
        .find(|facet| facet.field == field)
        .map(|facet| {
            facet
                .values
                .iter()
                .map(|v| (v.value.as_str(), v.count))
                .collect()
        })
        .unwrap_or_default()
}

/// `words (count)`, the count written as the page's language writes it.
fn with_count(lang: Lang, words: &str, count: i64) -> String {
    format!("{words} ({})", lang.number(count))
}

/// `GET /catalogue?q=…&nature=…&profile=…&language=…&rating=…&page=…`:
/// the catalogue's ranked search with its filters, in pages.
pub(crate) async fn catalogue(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let search = match Search::parse(uri.query()) {
        Ok(search) => search,
        Err(status) => return problem(ctx, &status),
    };
    let lang = ctx.lang;
    let mut client = catalogue_client(&state);
    let mut profiles_client = client.clone();
    let (answer, profiles) = tokio::join!(
        client.search_interlinkers(ctx.call(search.request())),
        profiles_client.list_problem_profiles(ctx.call(catalogue::ListProblemProfilesRequest {
            family: String::new(),
        })),
    );
    let answer = match answer {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    // Without the profiles' titles the filter shows their codes.
    let profiles = profiles
        .map(|answer| answer.into_inner().problem_profiles)
        .unwrap_or_default();
    let results = answer
        .results
        .iter()
        .filter_map(|r| r.interlinker.as_ref())
        .map(|i| {
            let mut summary = shown(i.description.as_ref(), lang);
            if summary.text.chars().count() > SUMMARY_CHARS {
                summary.text = summary.text.chars().take(SUMMARY_CHARS).collect::<String>() + "…";
            }
            ResultRow {
                href: crate::interlinker::interlinker_href(&i.name),
                title: shown(i.title.as_ref(), lang),
                summary,
                nature: ctx.t(nature_message(i.nature)),
                origin: i
                    .origin
                    .as_ref()
                    .map(|origin| crate::origins::from_label(&ctx, origin)),
            }
        })
        .collect();
    let count = lang.message(
        "results-count",
        &[
            ("count", FluentValue::from(answer.total_size)),
            ("shown", FluentValue::from(lang.number(answer.total_size))),
        ],
    );
    let next_page =
        (!answer.next_page_token.is_empty()).then(|| search.href(Some(&answer.next_page_token)));

    let nature_counts = facet_counts(&answer.facets, "nature");
    let natures = NATURES
        .iter()
        .map(|(value, nature)| {
            let count = nature_counts
                .iter()
                .find(|(name, _)| *name == nature.as_str_name())
                .map_or(0, |(_, count)| *count);
            FilterChoice {
                value: (*value).to_owned(),
                label: with_count(lang, &ctx.t(nature_message(*nature as i32)), count),
                label_lang: None,
                checked: search.natures.contains(value),
            }
        })
        .collect();
    let mut language_counts = facet_counts(&answer.facets, "language");
    for chosen in &search.languages {
        if !language_counts.iter().any(|(tag, _)| tag == chosen) {
            language_counts.push((chosen.as_str(), 0));
        }
    }
    let languages = language_counts
        .iter()
        .map(|(tag, count)| {
            let known = Lang::from_tag(tag);
            FilterChoice {
                value: (*tag).to_owned(),
                label: with_count(lang, known.map_or(*tag, |l| l.endonym()), *count),
                label_lang: known.map(|l| l.tag().to_owned()),
                checked: search.languages.iter().any(|l| l == tag),
            }
        })
        .collect();
    let ratings = std::iter::once(None)
        .chain((1..=4).map(Some))
        .map(|stars: Option<u8>| FilterChoice {
            value: stars.map(|s| s.to_string()).unwrap_or_default(),
            label: match stars {
                None => ctx.t("rating-any"),
                Some(stars) => {
                    lang.message("rating-at-least", &[("stars", FluentValue::from(stars))])
                }
            },
            label_lang: None,
            checked: search.rating == stars,
        })
        .collect();
    let names = deployment_names(&answer, &search.origins);
    let origins = origin_choices(&ctx, &answer, &search.origins, &names);
    let profile_counts = facet_counts(&answer.facets, "problem_profile");
    let families = profile_families(&ctx, &profiles, &profile_counts, &search.profiles);
    let clear_href = Search {
        q: search.q.clone(),
        ..Search::default()
    }
    .href(None);
    page(
        &CataloguePage {
            ctx,
            filtered: search.filtered(),
            query: search.q,
            count,
            results,
            next_page,
            clear_href,
            natures,
            languages,
            ratings,
            families,
            origins,
        },
        StatusCode::OK,
    )
}

/// The other deployments the origin filter names (the facet's and those
/// chosen), each with its name as the catalogue's facet gives it, else its
/// address.
fn deployment_names(
    answer: &catalogue::SearchInterlinkersResponse,
    chosen: &[String],
) -> Vec<(String, String)> {
    let facet = answer.facets.iter().find(|f| f.field == "origin");
    let mut deployments: Vec<String> = facet_counts(&answer.facets, "origin")
        .into_iter()
        .map(|(value, _)| value.to_owned())
        .chain(chosen.iter().cloned())
        .filter(|value| value != LOCAL)
        .collect();
    deployments.sort();
    deployments.dedup();
    deployments
        .into_iter()
        .map(|deployment| {
            let label = facet
                .and_then(|f| f.values.iter().find(|v| v.value == deployment))
                .map_or("", |v| v.label.as_str());
            let name = crate::origins::deployment_label(label, &deployment);
            (deployment, name)
        })
        .collect()
}

/// The origin filter's choices: this deployment's entries, then each other
/// deployment's by its name (`names`), with their counts; none while every
/// entry is this deployment's and no origin is chosen.
fn origin_choices(
    ctx: &PageCtx,
    answer: &catalogue::SearchInterlinkersResponse,
    chosen: &[String],
    names: &[(String, String)],
) -> Vec<FilterChoice> {
    let mut counts = facet_counts(&answer.facets, "origin");
    for value in chosen {
        if !counts.iter().any(|(v, _)| v == value) {
            counts.push((value.as_str(), 0));
        }
    }
    if counts.iter().all(|(value, _)| *value == LOCAL) && chosen.is_empty() {
        return Vec::new();
    }
    let name_of = |deployment: &str| {
        names
            .iter()
            .find(|(value, _)| value == deployment)
            .map_or_else(
                || crate::origins::deployment_label("", deployment),
                |(_, name)| name.clone(),
            )
    };
    let mut choices: Vec<FilterChoice> = counts
        .iter()
        .map(|(value, count)| FilterChoice {
            value: (*value).to_owned(),
            label: with_count(
                ctx.lang,
                &if *value == LOCAL {
                    ctx.t("origin-local")
                } else {
                    name_of(value)
                },
                *count,
            ),
            label_lang: None,
            checked: chosen.iter().any(|c| c == value),
        })
        .collect();
    // This deployment first, then the others by name.
    choices.sort_by(|a, b| {
        (b.value == LOCAL)
            .cmp(&(a.value == LOCAL))
            .then_with(|| a.label.cmp(&b.label))
    });
    choices
}

/// The problem profiles to filter by, per family: those some hit addresses
/// and those chosen, titled in the page's language.
fn profile_families(
    ctx: &PageCtx,
    profiles: &[catalogue::ProblemProfile],
    counts: &[(&str, i64)],
    chosen: &[String],
) -> Vec<FamilyChoices> {
    let count_of = |code: &str| {
        counts
            .iter()
            .find(|(value, _)| *value == code)
            .map_or(0, |(_, count)| *count)
    };
    let mut families: Vec<FamilyChoices> = Vec::new();
    let mut family_names: Vec<&str> = FAMILIES.to_vec();
    for profile in profiles {
        if !family_names.contains(&profile.family.as_str()) {
            family_names.push(&profile.family);
        }
    }
    for family in family_names {
        let choices: Vec<FilterChoice> = profiles
            .iter()
            .filter(|p| p.family == family)
            .filter(|p| count_of(&p.code) > 0 || chosen.contains(&p.code))
            .map(|p| {
                let title = shown(p.title.as_ref(), ctx.lang);
                FilterChoice {
                    value: p.code.clone(),
                    label: with_count(ctx.lang, &title.text, count_of(&p.code)),
                    label_lang: title.lang,
                    checked: chosen.contains(&p.code),
                }
            })
            .collect();
        if !choices.is_empty() {
            families.push(FamilyChoices {
                legend: family_title(ctx, family),
                choices,
            });
        }
    }
    // A chosen code the catalogue does not know stays visible, to untick.
    let unknown: Vec<FilterChoice> = chosen
        .iter()
        .filter(|code| !profiles.iter().any(|p| &p.code == *code))
        .map(|code| FilterChoice {
            value: code.clone(),
            label: with_count(ctx.lang, code, count_of(code)),
            label_lang: None,
            checked: true,
        })
        .collect();
    if !unknown.is_empty() {
        families.push(FamilyChoices {
            legend: ctx.t("family-other"),
            choices: unknown,
        });
    }
    families
}

/// A family's name in the page's language (an unknown one as it is).
fn family_title(ctx: &PageCtx, family: &str) -> String {
    if FAMILIES.contains(&family) {
        ctx.t(&format!("family-{family}"))
    } else {
        family.to_owned()
    }
}

/// A problem profile as its page shows it.
pub(crate) struct ProfileRow {
    pub(crate) code: String,
    pub(crate) href: String,
    pub(crate) title: Shown,
    pub(crate) description: Shown,
}

/// A family of problem profiles.
pub(crate) struct FamilyRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) profiles: Vec<ProfileRow>,
}

#[derive(Template)]
#[template(path = "problem_profiles.html")]
struct ProblemProfilesPage {
    ctx: PageCtx,
    families: Vec<FamilyRow>,
}

/// `GET /catalogue/problem-profiles`: the problems interlinkers address,
/// by family, each leading to the interlinkers for it.
pub(crate) async fn problem_profiles(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let profiles = match catalogue_client(&state)
        .list_problem_profiles(ctx.call(catalogue::ListProblemProfilesRequest {
            family: String::new(),
        }))
        .await
    {
        Ok(answer) => answer.into_inner().problem_profiles,
        Err(status) => return problem(ctx, &status),
    };
    let mut names: Vec<&str> = FAMILIES.to_vec();
    for profile in &profiles {
        if !names.contains(&profile.family.as_str()) {
            names.push(&profile.family);
        }
    }
    let families = names
        .into_iter()
        .map(|family| FamilyRow {
            id: format!("family-{family}"),
            title: family_title(&ctx, family),
            profiles: profiles
                .iter()
                .filter(|p| p.family == family)
                .map(|p| ProfileRow {
                    code: p.code.clone(),
                    href: format!("/catalogue?profile={}", form_urlencoded_component(&p.code)),
                    title: shown(p.title.as_ref(), ctx.lang),
                    description: shown(p.description.as_ref(), ctx.lang),
                })
                .collect(),
        })
        .filter(|family| !family.profiles.is_empty())
        .collect();
    page(&ProblemProfilesPage { ctx, families }, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_reads_its_filters_and_writes_the_same_address() {
        let search = Search::parse(Some(
            "q=survey+tool&nature=software&nature=knowledge&nature=software&profile=org-01&language=es&origin=local&origin=https%3A%2F%2Fa.example&origin=local&rating=3&page=abc",
        ))
        .expect("a search");
        assert_eq!(search.q, "survey tool");
        assert_eq!(search.natures, ["software", "knowledge"]);
        assert_eq!(search.profiles, ["org-01"]);
        assert_eq!(search.languages, ["es"]);
        assert_eq!(search.origins, ["local", "https://a.example"]);
        assert_eq!(search.rating, Some(3));
        let request = search.request();
        assert_eq!(
            request.natures,
            [
                catalogue::Nature::Software as i32,
                catalogue::Nature::Knowledge as i32
            ]
        );
        assert!((request.min_rating - 3.0).abs() < f64::EPSILON);
        assert_eq!(request.origins, ["local", "https://a.example"]);
        assert_eq!(
            search.href(None),
            "/catalogue?q=survey%20tool&nature=software&nature=knowledge&profile=org-01&language=es&origin=local&origin=https%3A//a.example&rating=3"
        );
        let again = Search::parse(search.href(Some("abc")).split_once('?').map(|(_, q)| q))
            .expect("the same search");
        assert_eq!(again, search);
        assert_eq!(Search::default().href(None), "/catalogue");
        assert!(!Search::default().filtered() && search.filtered());
    }

    #[test]
    fn filters_out_of_shape_are_refused_by_name() {
        for (query, field) in [
            ("nature=hardware", "nature"),
            ("rating=5", "rating"),
            ("rating=two", "rating"),
            ("rating=0", "rating"),
        ] {
            let status = Search::parse(Some(query)).expect_err(query);
            assert_eq!(status.code(), tonic::Code::InvalidArgument);
            assert!(
                status.message().starts_with(field),
                "{query}: {}",
                status.message()
            );
        }
        let long = format!("origin=https://{}", "a".repeat(MAX_ORIGIN_CHARS));
        let status = Search::parse(Some(&long)).expect_err("too long");
        assert!(
            status.message().starts_with("origin"),
            "{}",
            status.message()
        );
        let many: Vec<String> = (0..=MAX_VALUES).map(|i| format!("profile=p{i}")).collect();
        let status = Search::parse(Some(&many.join("&"))).expect_err("too many");
        assert!(
            status.message().starts_with("profile"),
            "{}",
            status.message()
        );
        // An empty rating is no filter.
        assert_eq!(
            Search::parse(Some("rating=")).map(|s| s.rating).ok(),
            Some(None)
        );
    }
}
