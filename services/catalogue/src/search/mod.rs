//! The catalogue's search engine: an in-process tantivy index in RAM over
//! the published interlinkers, with one field per language and each
//! language's stemming, and their filterable attributes beside it.
//!
//! The database stays the source of truth. Every catalogue write takes the
//! next catalogue revision (see [`crate::store::next_revision`]); the index
//! follows the table by revision: at start, after each local write, and on
//! a timer for writes made by other replicas.

mod latvian;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use sea_orm::{ConnectionTrait, DbErr};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream,
};
use tantivy::{
    DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term,
};
use tokio::sync::Mutex;

use crate::domain::Text;
use crate::domain::interlinker::{Difficulty, Label, Licence, Nature, State, with_ancestors};
use crate::domain::rating::average;
use crate::store::{self, InterlinkerRow};

pub use latvian::{
    LatvianStemmer, LatvianStemmerFilter, LatvianStemmerStream, stem as latvian_stem,
};

/// The languages with their own analysis; other tags go to [`OTHER`].
const LANGUAGES: &[&str] = &["en", "es", "it", "lv", "fr", "de", "pt"];
/// The field suffix of text in any other language: folded, not stemmed.
const OTHER: &str = "other";

/// How much a match in each text field counts.
const TITLE_BOOST: f32 = 3.0;
const TAGS_BOOST: f32 = 2.0;
const DESCRIPTION_BOOST: f32 = 1.0;

/// Words longer than this are not indexed (they are not words).
const MAX_TOKEN_BYTES: usize = 40;
/// Rows read per refresh query.
const REFRESH_BATCH: u64 = 1_000;

fn analyzer(language: &str) -> TextAnalyzer {
    // Folded before stemming: a query typed without accents
    // (`informacion`) meets the accented text (`información`).
    let base = || {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
    };
    let stemmer = |l| base().filter(Stemmer::new(l)).build();
    match language {
        "en" => stemmer(Language::English),
        "es" => stemmer(Language::Spanish),
        "it" => stemmer(Language::Italian),
        "fr" => stemmer(Language::French),
        "de" => stemmer(Language::German),
        "pt" => stemmer(Language::Portuguese),
        "lv" => base().filter(latvian::LatvianStemmer).build(),
        _ => base().build(),
    }
}

/// The analysis bucket of a language tag (`pt-BR` → `pt`).
fn bucket(tag: &str) -> &'static str {
    let primary = tag.split('-').next().unwrap_or(tag);
    LANGUAGES
        .iter()
        .copied()
        .find(|l| *l == primary)
        .unwrap_or(OTHER)
}

#[derive(Debug, Clone, Copy)]
struct LanguageFields {
    title: Field,
    tags: Field,
    description: Field,
}

/// What a hit is filtered and faceted by, beside the stored row.
#[derive(Debug)]
pub struct Entry {
    /// The interlinker as stored.
    pub row: InterlinkerRow,
    /// Its exact rating average.
    pub rating: f64,
    targets: BTreeSet<String>,
    sort_title: String,
    /// Per faceted field, the interned ids of its values.
    facets: [Vec<u32>; FACETS.len()],
}

impl Entry {
    fn new(row: InterlinkerRow, interner: &mut Interner) -> Self {
        let targets = with_ancestors(&row.fields.targets);
        let sort_title = first_text(&row.fields.title).to_lowercase();
        let mut entry = Self {
            rating: average(row.rating_sum, row.rating_count),
            row,
            targets,
            sort_title,
            facets: Default::default(),
        };
        if let Some(origin) = &entry.row.fields.origin
            && !origin.deployment_name.is_empty()
        {
            interner
                .origin_labels
                .insert(origin.deployment.clone(), origin.deployment_name.clone());
        }
        for (facet, ids) in entry.facets.iter_mut().enumerate() {
            *ids = facet_values(&entry.row, &entry.targets, facet)
                .into_iter()
                .map(|value| interner.id(facet, value))
                .collect();
        }
        entry
    }
}

/// Facet values as small integers, so counting allocates nothing.
#[derive(Debug, Clone, Default)]
struct Interner {
    names: [Vec<String>; FACETS.len()],
    ids: [HashMap<String, u32>; FACETS.len()],
    /// Each origin's name for people, as its newest indexed mirror says.
    origin_labels: HashMap<String, String>,
}

impl Interner {
    fn id(&mut self, facet: usize, value: String) -> u32 {
        if let Some(id) = self.ids[facet].get(&value) {
            return *id;
        }
        let id = self.names[facet].len() as u32;
        self.names[facet].push(value.clone());
        self.ids[facet].insert(value, id);
        id
    }
}

fn first_text(text: &Text) -> &str {
    text.get("en")
        .or_else(|| text.values().next())
        .map(String::as_str)
        .unwrap_or("")
}

/// The filters of a search; empty sets let everything through.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Any of these natures.
    pub natures: BTreeSet<Nature>,
    /// Any of these problem profile codes.
    pub problem_profiles: BTreeSet<String>,
    /// Available in any of these language tags.
    pub languages: BTreeSet<String>,
    /// Any of these difficulties.
    pub difficulties: BTreeSet<Difficulty>,
    /// Any of these licences.
    pub licences: BTreeSet<Licence>,
    /// For any of these targets or below.
    pub targets: BTreeSet<String>,
    /// Rated at least this.
    pub min_rating: f64,
    /// From any of these deployments ([`LOCAL_ORIGIN`] or an issuer).
    pub origins: BTreeSet<String>,
}

/// The origin of this deployment's own entries, in filters and facets.
pub const LOCAL_ORIGIN: &str = "local";

/// The faceted fields, in the order facets are returned.
pub const FACETS: [&str; 7] = [
    "nature",
    "problem_profile",
    "language",
    "difficulty",
    "licence",
    "target",
    "origin",
];

/// Where `row` comes from: [`LOCAL_ORIGIN`], or its origin's issuer.
fn origin_of(row: &InterlinkerRow) -> &str {
    row.fields
        .origin
        .as_ref()
        .map_or(LOCAL_ORIGIN, |o| o.deployment.as_str())
}

impl Filters {
    /// A bit per faceted filter that `entry` fails (bit i = `FACETS[i]`),
    /// or `None` when it fails the rating floor, which is no facet.
    fn failures(&self, entry: &Entry) -> Option<u8> {
        if entry.rating < self.min_rating {
            return None;
        }
        let fields = &entry.row.fields;
        let checks = [
            self.natures.is_empty() || self.natures.contains(&entry.row.nature),
            self.problem_profiles.is_empty()
                || fields
                    .problem_profiles
                    .iter()
                    .any(|p| self.problem_profiles.contains(p)),
            self.languages.is_empty()
                || fields.languages.iter().any(|l| self.languages.contains(l)),
            self.difficulties.is_empty()
                || fields
                    .difficulty
                    .is_some_and(|d| self.difficulties.contains(&d)),
            self.licences.is_empty() || fields.licence.is_some_and(|l| self.licences.contains(&l)),
            self.targets.is_empty() || entry.targets.iter().any(|t| self.targets.contains(t)),
            self.origins.is_empty() || self.origins.contains(origin_of(&entry.row)),
        ];
        Some(
            checks
                .iter()
                .enumerate()
                .filter(|(_, ok)| !**ok)
                .fold(0u8, |bits, (i, _)| bits | (1 << i)),
        )
    }
}

fn facet_values(row: &InterlinkerRow, targets: &BTreeSet<String>, facet: usize) -> Vec<String> {
    let fields = &row.fields;
    match facet {
        0 => vec![row.nature.as_str().to_owned()],
        1 => fields.problem_profiles.clone(),
        2 => fields.languages.clone(),
        3 => fields
            .difficulty
            .map(|d| d.as_str().to_owned())
            .into_iter()
            .collect(),
        4 => fields
            .licence
            .map(|l| l.as_str().to_owned())
            .into_iter()
            .collect(),
        5 => targets.iter().cloned().collect(),
        _ => vec![origin_of(row).to_owned()],
    }
}

/// One page of hits with the counts of every facet.
#[derive(Debug)]
pub struct SearchPage {
    /// The hits of the page, best first, with their relevance.
    pub hits: Vec<(Arc<Entry>, f32)>,
    /// Hits across all pages.
    pub total: usize,
    /// Per faceted field ([`FACETS`] order), its values and their counts,
    /// most frequent first. Each field's counts apply every filter but its
    /// own, so they say what choosing another value would give.
    pub facets: Vec<(&'static str, Vec<(String, u64)>)>,
    /// The names for people of the origins in the `origin` facet.
    pub origin_labels: HashMap<String, String>,
}

/// A published interlinker recommended for a task.
#[derive(Debug)]
pub struct Recommendation {
    /// The interlinker.
    pub entry: Arc<Entry>,
    /// The weighted score.
    pub score: f64,
    /// The asked profiles it addresses.
    pub matched: Vec<String>,
}

/// What searches read: replaced whole after each refresh.
struct Snapshot {
    searcher: tantivy::Searcher,
    /// By slot (a dense number per interlinker id); `None` when not
    /// published.
    entries: Vec<Option<Arc<Entry>>>,
    slots: HashMap<String, u64>,
    facet_names: [Vec<String>; FACETS.len()],
    origin_labels: HashMap<String, String>,
    published: usize,
    /// The published entries' slots in id order, for listing pages.
    by_id: Vec<u64>,
}

impl Snapshot {
    fn entry(&self, slot: u64) -> Option<&Arc<Entry>> {
        self.entries.get(slot as usize).and_then(Option::as_ref)
    }

    fn published(&self) -> impl Iterator<Item = &Arc<Entry>> {
        self.entries.iter().flatten()
    }
}

struct Writer {
    writer: IndexWriter<TantivyDocument>,
    entries: Vec<Option<Arc<Entry>>>,
    slots: HashMap<String, u64>,
    interner: Interner,
    revision: i64,
}

/// The index; cheap to share behind an `Arc`.
pub struct SearchIndex {
    slot: Field,
    fields: HashMap<&'static str, LanguageFields>,
    analyzers: Vec<(&'static str, TextAnalyzer)>,
    reader: IndexReader,
    writer: Mutex<Writer>,
    snapshot: RwLock<Arc<Snapshot>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

/// What can go wrong in the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy failed.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Reading the catalogue failed.
    #[error(transparent)]
    Store(#[from] DbErr),
}

impl SearchIndex {
    /// An empty index; [`SearchIndex::refresh`] fills it.
    pub fn new() -> Result<Self, SearchError> {
        let mut schema = Schema::builder();
        let slot = schema.add_u64_field("slot", INDEXED | FAST);
        let mut fields = HashMap::new();
        let mut analyzers = Vec::new();
        for language in LANGUAGES.iter().copied().chain([OTHER]) {
            let tokenizer = format!("interlink_{language}");
            let options = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(&tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            );
            fields.insert(
                language,
                LanguageFields {
                    title: schema.add_text_field(&format!("title_{language}"), options.clone()),
                    tags: schema.add_text_field(&format!("tags_{language}"), options.clone()),
                    description: schema.add_text_field(&format!("description_{language}"), options),
                },
            );
            analyzers.push((language, analyzer(language)));
        }
        let index = Index::create_in_ram(schema.build());
        for (language, analyzer) in &analyzers {
            index
                .tokenizers()
                .register(&format!("interlink_{language}"), analyzer.clone());
        }
        // One indexing thread: the catalogue is small and writes are rare.
        let writer = index.writer_with_num_threads(1, 30_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let snapshot = Snapshot {
            searcher: reader.searcher(),
            entries: Vec::new(),
            slots: HashMap::new(),
            facet_names: Default::default(),
            origin_labels: HashMap::new(),
            published: 0,
            by_id: Vec::new(),
        };
        Ok(Self {
            slot,
            fields,
            analyzers,
            reader,
            writer: Mutex::new(Writer {
                writer,
                entries: Vec::new(),
                slots: HashMap::new(),
                interner: Interner::default(),
                revision: 0,
            }),
            snapshot: RwLock::new(Arc::new(snapshot)),
        })
    }

    /// The catalogue revision the index has caught up with.
    pub async fn revision(&self) -> i64 {
        self.writer.lock().await.revision
    }

    /// Brings the index up to the table: reads the rows changed since the
    /// last refresh, indexes the published ones and drops the others.
    pub async fn refresh(&self, db: &impl ConnectionTrait) -> Result<(), SearchError> {
        let mut w = self.writer.lock().await;
        let mut changed = false;
        loop {
            let rows = store::interlinkers_since(db, w.revision, REFRESH_BATCH).await?;
            let last = rows.len() < REFRESH_BATCH as usize;
            for row in rows {
                w.revision = row.revision;
                changed = true;
                let slot = match w.slots.get(&row.id) {
                    Some(slot) => {
                        let slot = *slot;
                        w.writer.delete_term(Term::from_field_u64(self.slot, slot));
                        w.entries[slot as usize] = None;
                        slot
                    }
                    None => {
                        let slot = w.entries.len() as u64;
                        w.entries.push(None);
                        w.slots.insert(row.id.clone(), slot);
                        slot
                    }
                };
                if row.state == State::Published {
                    w.writer.add_document(self.document(slot, &row))?;
                    let entry = Entry::new(row, &mut w.interner);
                    w.entries[slot as usize] = Some(Arc::new(entry));
                }
            }
            if last {
                break;
            }
        }
        if changed {
            w.writer.commit()?;
            self.reader.reload()?;
            let mut by_id: Vec<u64> = w
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.is_some())
                .map(|(slot, _)| slot as u64)
                .collect();
            by_id.sort_by(|a, b| {
                let id = |slot: &u64| {
                    w.entries[*slot as usize]
                        .as_ref()
                        .map(|e| e.row.id.as_str())
                };
                id(a).cmp(&id(b))
            });
            let snapshot = Snapshot {
                searcher: self.reader.searcher(),
                entries: w.entries.clone(),
                slots: w.slots.clone(),
                facet_names: w.interner.names.clone(),
                origin_labels: w.interner.origin_labels.clone(),
                published: by_id.len(),
                by_id,
            };
            *self
                .snapshot
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(snapshot);
        }
        Ok(())
    }

    fn document(&self, slot: u64, row: &InterlinkerRow) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_u64(self.slot, slot);
        let fields = &row.fields;
        let mut add = |text: &Text, pick: fn(&LanguageFields) -> Field| {
            for (tag, value) in text {
                if let Some(f) = self.fields.get(bucket(tag)) {
                    doc.add_text(pick(f), value);
                }
            }
        };
        add(&fields.title, |f| f.title);
        add(&fields.description, |f| f.description);
        for tag in &fields.tags {
            add(tag, |f| f.tags);
        }
        doc
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How many published interlinkers are indexed.
    pub fn len(&self) -> usize {
        self.current().published
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text query: every word of `text` must match, in any language
    /// and field; `None` when `text` has no words.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        // Word position → its terms in each language's analysis.
        let mut words: BTreeMap<usize, Vec<(&'static str, String)>> = BTreeMap::new();
        for (language, analyzer) in &self.analyzers {
            let mut analyzer = analyzer.clone();
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                let token = stream.token();
                words
                    .entry(token.position)
                    .or_default()
                    .push((language, token.text.clone()));
            }
        }
        if words.is_empty() {
            return None;
        }
        let clauses = words
            .into_values()
            .map(|terms| {
                let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (language, term) in terms {
                    let Some(f) = self.fields.get(language) else {
                        continue;
                    };
                    for (field, boost) in [
                        (f.title, TITLE_BOOST),
                        (f.tags, TAGS_BOOST),
                        (f.description, DESCRIPTION_BOOST),
                    ] {
                        let query = TermQuery::new(
                            Term::from_field_text(field, &term),
                            IndexRecordOption::WithFreqs,
                        );
                        alternatives.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(query), boost)),
                        ));
                    }
                }
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>,
                )
            })
            .collect();
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// Searches the published interlinkers: `text` ranked by relevance
    /// (empty: everything, best rated first), then `filters`; returns
    /// `limit` hits from `offset` and the facet counts.
    pub fn search(
        &self,
        text: &str,
        filters: &Filters,
        offset: usize,
        limit: usize,
    ) -> Result<SearchPage, SearchError> {
        let snapshot = self.current();
        let scored: Vec<(u64, f32)> = match self.text_query(text) {
            Some(query) => snapshot
                .searcher
                .search(query.as_ref(), &AllHits { field: "slot" })?,
            None => snapshot
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.is_some())
                .map(|(slot, _)| (slot as u64, 0.0))
                .collect(),
        };
        let mut counts: Vec<Vec<u64>> = snapshot
            .facet_names
            .iter()
            .map(|names| vec![0; names.len()])
            .collect();
        let mut hits = Vec::new();
        for (slot, score) in scored {
            let Some(entry) = snapshot.entry(slot) else {
                continue;
            };
            let Some(failures) = filters.failures(entry) else {
                continue;
            };
            for (facet, count) in counts.iter_mut().enumerate() {
                // Counted in a facet when every other filter lets it through.
                if failures & !(1 << facet) == 0 {
                    for id in &entry.facets[facet] {
                        count[*id as usize] += 1;
                    }
                }
            }
            if failures == 0 {
                hits.push((entry.clone(), score));
            }
        }
        let order = |(a, sa): &(Arc<Entry>, f32), (b, sb): &(Arc<Entry>, f32)| {
            sb.total_cmp(sa)
                .then(b.rating.total_cmp(&a.rating))
                .then(b.row.rating_count.cmp(&a.row.rating_count))
                .then_with(|| a.sort_title.cmp(&b.sort_title))
                .then_with(|| a.row.id.cmp(&b.row.id))
        };
        let total = hits.len();
        // Only the hits up to the page's end need their order.
        let end = (offset + limit).min(total);
        if end > 0 && end < total {
            hits.select_nth_unstable_by(end - 1, order);
            hits.truncate(end);
        }
        hits.sort_unstable_by(order);
        let hits = hits.into_iter().skip(offset).take(limit).collect();
        let facets: Vec<(&'static str, Vec<(String, u64)>)> = FACETS
            .iter()
            .zip(counts)
            .enumerate()
            .map(|(facet, (name, values))| {
                let names = &snapshot.facet_names[facet];
                let mut values: Vec<(String, u64)> = values
                    .into_iter()
                    .enumerate()
                    .filter(|(_, count)| *count > 0)
                    .map(|(id, count)| (names[id].clone(), count))
                    .collect();
                values.sort_by(|(va, a), (vb, b)| b.cmp(a).then_with(|| va.cmp(vb)));
                (*name, values)
            })
            .collect();
        let origin_labels = facets
            .iter()
            .filter(|(name, _)| *name == "origin")
            .flat_map(|(_, values)| values)
            .filter_map(|(origin, _)| {
                let label = snapshot.origin_labels.get(origin)?;
                Some((origin.clone(), label.clone()))
            })
            .collect();
        Ok(SearchPage {
            hits,
            total,
            facets,
            origin_labels,
        })
    }

    /// A page of the published interlinkers in id order: at most `limit`
    /// after the id `after`. The same rows as the table holds, as of the
    /// index's revision (a local write is there once it returns; another
    /// replica's after the next refresh).
    pub fn published_page(&self, after: Option<&str>, limit: usize) -> Vec<Arc<Entry>> {
        let snapshot = self.current();
        let id = |slot: u64| {
            snapshot
                .entry(slot)
                .map(|e| e.row.id.as_str())
                .unwrap_or_default()
        };
        let start = match after {
            Some(after) => snapshot.by_id.partition_point(|slot| id(*slot) <= after),
            None => 0,
        };
        snapshot.by_id[start..]
            .iter()
            .take(limit)
            .filter_map(|slot| snapshot.entry(*slot).cloned())
            .collect()
    }

    /// The published interlinker `id`, if indexed.
    pub fn get(&self, id: &str) -> Option<Arc<Entry>> {
        let snapshot = self.current();
        let slot = snapshot.slots.get(id)?;
        snapshot.entry(*slot).cloned()
    }

    /// Published interlinkers sharing problem profiles with `profiles`
    /// (except `id`): most shared first, then best rated.
    pub fn related(&self, id: &str, profiles: &[String], limit: usize) -> Vec<Arc<Entry>> {
        let wanted: BTreeSet<&String> = profiles.iter().collect();
        let snapshot = self.current();
        let mut found: Vec<(usize, Arc<Entry>)> = snapshot
            .published()
            .filter(|e| e.row.id != id)
            .filter_map(|e| {
                let shared = e
                    .row
                    .fields
                    .problem_profiles
                    .iter()
                    .filter(|p| wanted.contains(p))
                    .count();
                (shared > 0).then(|| (shared, e.clone()))
            })
            .collect();
        found.sort_by(|(sa, a), (sb, b)| {
            sb.cmp(sa)
                .then(b.rating.total_cmp(&a.rating))
                .then_with(|| a.row.id.cmp(&b.row.id))
        });
        found.into_iter().take(limit).map(|(_, e)| e).collect()
    }

    /// Published interlinkers for a task addressing `profiles`, ranked by
    /// the share of them they address (weight 1), their rating (0.3 at 5
    /// stars), their adoption relative to the most adopted (0.2), and 0.1
    /// when available in `language`.
    pub fn recommend(
        &self,
        profiles: &[String],
        language: Option<&str>,
        limit: usize,
    ) -> Vec<Recommendation> {
        let wanted: BTreeSet<&String> = profiles.iter().collect();
        let snapshot = self.current();
        let most_adopted = snapshot
            .published()
            .map(|e| e.row.adoption_count)
            .max()
            .unwrap_or(0);
        let mut found: Vec<Recommendation> = snapshot
            .published()
            .filter_map(|e| {
                let matched: Vec<String> = e
                    .row
                    .fields
                    .problem_profiles
                    .iter()
                    .filter(|p| wanted.contains(p))
                    .cloned()
                    .collect();
                if matched.is_empty() {
                    return None;
                }
                let coverage = matched.len() as f64 / wanted.len().max(1) as f64;
                let rating = e.rating / 5.0;
                let adoption = if most_adopted > 0 {
                    (1.0 + e.row.adoption_count as f64).ln() / (1.0 + most_adopted as f64).ln()
                } else {
                    0.0
                };
                let speaks =
                    language.is_some_and(|l| e.row.fields.languages.iter().any(|x| x == l));
                Some(Recommendation {
                    score: coverage
                        + 0.3 * rating
                        + 0.2 * adoption
                        + if speaks { 0.1 } else { 0.0 },
                    entry: e.clone(),
                    matched,
                })
            })
            .collect();
        found.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.entry.row.id.cmp(&b.entry.row.id))
        });
        found.truncate(limit);
        found
    }
}

/// Collects every hit with its score and its slot (a fast field).
struct AllHits {
    field: &'static str,
}

struct SegmentHits {
    slots: Column<u64>,
    hits: Vec<(u64, f32)>,
}

impl Collector for AllHits {
    type Fruit = Vec<(u64, f32)>;
    type Child = SegmentHits;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentHits> {
        Ok(SegmentHits {
            slots: reader.fast_fields().u64(self.field)?,
            hits: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, f32)>>) -> tantivy::Result<Vec<(u64, f32)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentHits {
    type Fruit = Vec<(u64, f32)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(slot) = self.slots.first(doc) {
            self.hits.push((slot, score));
        }
    }

    fn harvest(self) -> Vec<(u64, f32)> {
        self.hits
    }
}
