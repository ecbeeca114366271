//! Catalogue benchmark: search latency over 10,000 generated interlinkers
//! (in the index and through gRPC), list and get through gRPC, search
//! throughput under 16 concurrent clients, seed time on SQLite and
//! PostgreSQL, and the same searches on PostgreSQL full-text search for
//! the engine comparison. Needs PostgreSQL (`INTERLINK_TEST_DATABASE_URL`).
//!
//! `cargo bench -p interlink-catalogue --bench catalogue`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use interlink_catalogue::domain::interlinker::{
    Details, Difficulty, Fields, Licence, Nature, Scope, State,
};
use interlink_catalogue::search::Filters;
use interlink_catalogue::seed::SeedData;
use interlink_catalogue::store::{self, InterlinkerRow};
use interlink_catalogue::{CatalogueApi, Migrator, SearchIndex};
use interlink_proto::catalogue::v1 as pb;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use interlink_proto::catalogue::v1::catalogue_service_server::CatalogueServiceServer;
use interlink_runtime::testing::{Backend, TestEnv, TestServer};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Statement};

const INTERLINKERS: usize = 10_000;
const ROUNDS: usize = 2_000;

const EN: &[&str] = &[
    "survey",
    "template",
    "citizen",
    "participation",
    "workshop",
    "canvas",
    "service",
    "design",
    "guide",
    "checklist",
    "data",
    "platform",
    "forum",
    "map",
    "journey",
    "prototype",
    "pilot",
    "evaluation",
    "stakeholder",
    "agreement",
    "privacy",
    "accessibility",
    "budget",
    "hackathon",
    "feedback",
    "community",
    "volunteer",
    "school",
    "mobility",
    "energy",
    "housing",
    "health",
    "library",
    "permit",
    "tax",
    "waste",
    "water",
    "transport",
    "tourism",
    "culture",
];
const ES: &[&str] = &[
    "encuesta",
    "plantilla",
    "ciudadano",
    "participación",
    "taller",
    "lienzo",
    "servicio",
    "diseño",
    "guía",
    "lista",
    "datos",
    "plataforma",
    "foro",
    "mapa",
    "viaje",
    "prototipo",
    "piloto",
    "evaluación",
    "agente",
    "acuerdo",
    "privacidad",
    "accesibilidad",
    "presupuesto",
    "maratón",
    "opinión",
    "comunidad",
    "voluntario",
    "escuela",
    "movilidad",
    "energía",
    "vivienda",
    "salud",
    "biblioteca",
    "permiso",
    "impuesto",
    "residuo",
    "agua",
    "transporte",
    "turismo",
    "cultura",
];
const IT: &[&str] = &[
    "sondaggio",
    "modello",
    "cittadino",
    "partecipazione",
    "laboratorio",
    "tela",
    "servizio",
    "progettazione",
    "guida",
    "elenco",
    "dati",
    "piattaforma",
    "forum",
    "mappa",
    "percorso",
    "prototipo",
    "pilota",
    "valutazione",
    "portatore",
    "accordo",
    "riservatezza",
    "accessibilità",
    "bilancio",
    "maratona",
    "parere",
    "comunità",
    "volontario",
    "scuola",
    "mobilità",
    "energia",
    "abitazione",
    "salute",
    "biblioteca",
    "permesso",
    "tassa",
    "rifiuto",
    "acqua",
    "trasporto",
    "turismo",
    "cultura",
];
const LV: &[&str] = &[
    "aptauja",
    "veidne",
    "iedzīvotājs",
    "līdzdalība",
    "darbnīca",
    "audekls",
    "pakalpojums",
    "dizains",
    "ceļvedis",
    "saraksts",
    "dati",
    "platforma",
    "forums",
    "karte",
    "ceļojums",
    "prototips",
    "pilots",
    "novērtējums",
    "dalībnieks",
    "līgums",
    "privātums",
    "piekļūstamība",
    "budžets",
    "hakatons",
    "atsauksme",
    "kopiena",
    "brīvprātīgais",
    "skola",
    "mobilitāte",
    "enerģija",
    "mājoklis",
    "veselība",
    "bibliotēka",
    "atļauja",
    "nodoklis",
    "atkritumi",
    "ūdens",
    "transports",
    "tūrisms",
    "kultūra",
];
const LANGUAGES: [(&str, &[&str]); 4] = [("en", EN), ("es", ES), ("it", IT), ("lv", LV)];
const PROFILES: [&str; 8] = [
    "org-01", "org-02", "und-01", "und-02", "def-01", "bld-01", "val-01", "sus-01",
];

fn sentence(rng: &mut StdRng, words: &[&str], n: usize) -> String {
    (0..n)
        .map(|_| *words.choose(rng).unwrap_or(&"x"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `i`th generated interlinker: the same words in every language.
fn generated(rng: &mut StdRng, i: usize) -> InterlinkerRow {
    let title_idx: Vec<usize> = (0..4).map(|_| rng.gen_range(0..EN.len())).collect();
    let text = |rng: &mut StdRng, n: usize, idx: Option<&[usize]>| -> BTreeMap<String, String> {
        let idx: Vec<usize> = match idx {
            Some(idx) => idx.to_vec(),
            None => (0..n).map(|_| rng.gen_range(0..EN.len())).collect(),
        };
        LANGUAGES
            .iter()
            .map(|(l, words)| {
                (
                    l.to_string(),
                    idx.iter().map(|w| words[*w]).collect::<Vec<_>>().join(" "),
                )
            })
            .collect()
    };
    let title = text(rng, 4, Some(&title_idx));
    // Ten common words and twenty rarer ones (a common word with one of
    // 75 suffixes: 3,000 per language), like a real catalogue's mix.
    let mut description = text(rng, 10, None);
    for (l, words) in LANGUAGES {
        let rare = (0..20)
            .map(|_| rare_word(rng, words))
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(d) = description.get_mut(l) {
            d.push(' ');
            d.push_str(&rare);
        }
    }
    let tags = (0..3).map(|_| text(rng, 1, None)).collect();
    let nature = [
        Nature::Software,
        Nature::Knowledge,
        Nature::ExternalKnowledge,
        Nature::ExternalSoftware,
    ][i % 4];
    let details = match nature {
        Nature::Software => Details::Software {
            support: None,
            endpoint_uri: "https://tools.example.org".into(),
            capabilities: Vec::new(),
            status: None,
        },
        Nature::Knowledge => Details::Knowledge {
            software_interlinker: String::new(),
            genesis_assets: BTreeMap::new(),
        },
        _ => Details::External {
            uri: "https://example.org".into(),
        },
    };
    let languages: Vec<String> = LANGUAGES
        .iter()
        .filter(|_| rng.gen_bool(0.6))
        .map(|(l, _)| l.to_string())
        .collect();
    let ratings = rng.gen_range(0..20);
    InterlinkerRow {
        id: uuid::Uuid::now_v7().to_string(),
        nature,
        state: State::Published,
        owner: "bench".into(),
        fields: Fields {
            title,
            description,
            constraints_and_limitations: BTreeMap::new(),
            regulations_and_standards: BTreeMap::new(),
            instructions: BTreeMap::new(),
            tags,
            languages,
            licence: Some(Licence::Permissive),
            problem_profiles: vec![PROFILES[i % PROFILES.len()].to_owned()],
            difficulty: Some([Difficulty::Easy, Difficulty::Medium, Difficulty::Difficult][i % 3]),
            targets: vec!["all/pas/public_servants".into()],
            types: Vec::new(),
            scopes: vec![Scope::Local],
            form: None,
            format: None,
            logo_uri: String::new(),
            snapshot_uris: Vec::new(),
            details: Some(details),
            shared: false,
            origin: None,
            adopted_from: None,
        },
        rating_sum: ratings * rng.gen_range(1..=5),
        rating_count: ratings,
        adoption_count: 0,
        revision: i as i64 + 1,
        version: 1,
        created_at: 0,
        updated_at: 0,
        published_at: Some(0),
    }
}

fn rare_word(rng: &mut StdRng, words: &[&str]) -> String {
    format!(
        "{}{}",
        words.choose(rng).unwrap_or(&"x"),
        rng.gen_range(0..75)
    )
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.50).as_secs_f64() * 1e3, at(0.99).as_secs_f64() * 1e3)
}

fn row(name: &str, samples: Vec<Duration>) {
    let (p50, p99) = percentiles(samples);
    println!("{name:<58} p50 {p50:>7.3} ms   p99 {p99:>7.3} ms");
}

fn query_words(rng: &mut StdRng, n: usize) -> String {
    let (_, words) = LANGUAGES.choose(rng).unwrap_or(&("en", EN));
    // Plural-ish forms exercise the stemmers.
    sentence(rng, words, n)
}

fn filters() -> Filters {
    Filters {
        natures: [Nature::Software, Nature::Knowledge].into(),
        languages: ["es".to_owned()].into(),
        min_rating: 2.0,
        ..Default::default()
    }
}

async fn seed_time(backend: Backend) -> (f64, usize) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let started = Instant::now();
    let data = SeedData::load().expect("seed");
    data.apply(&env.db, &env.outbox(), |_| {})
        .await
        .expect("apply");
    let ms = started.elapsed().as_secs_f64() * 1e3;
    env.cleanup().await;
    (ms, data.len())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for (name, backend) in [
            ("SQLite", Backend::Embedded),
            ("PostgreSQL", Backend::Postgres),
        ] {
            let (ms, entries) = seed_time(backend).await;
            println!("seed ({entries} entries) on {name:<10} {ms:>8.1} ms");
        }

        let env = TestEnv::new::<Migrator>(Backend::Postgres, |_| {}).await;
        let mut rng = StdRng::seed_from_u64(7);
        let rows: Vec<InterlinkerRow> = (0..INTERLINKERS).map(|i| generated(&mut rng, i)).collect();
        let started = Instant::now();
        let txn = env.db.begin_write_bench().await;
        for row in &rows {
            store::insert_interlinker(&txn, row).await.expect("insert");
        }
        store::set_revision(&txn, INTERLINKERS as i64)
            .await
            .expect("revision");
        txn.commit().await.expect("commit");
        println!(
            "loaded {INTERLINKERS} interlinkers into PostgreSQL in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let index = Arc::new(SearchIndex::new().expect("index"));
        let started = Instant::now();
        index.refresh(&env.db).await.expect("refresh");
        println!(
            "indexed {} interlinkers in {:.0} ms",
            index.len(),
            started.elapsed().as_secs_f64() * 1e3
        );

        println!("\n-- the index (tantivy in RAM), {ROUNDS} queries each --");
        let cases: [(&str, usize, bool); 6] = [
            ("one common word", 1, false),
            ("one rare word", 9, false),
            ("two common words", 2, false),
            ("one common word + nature/language/rating filters", 1, true),
            ("no text, no filters (everything, facets)", 0, false),
            ("no text + filters", 0, true),
        ];
        for (name, words, filtered) in cases {
            let filters = if filtered {
                filters()
            } else {
                Filters::default()
            };
            let mut samples = Vec::with_capacity(ROUNDS);
            let mut hits = 0;
            for _ in 0..ROUNDS {
                let q = if words == 9 {
                    let (_, list) = LANGUAGES.choose(&mut rng).unwrap_or(&("en", EN));
                    rare_word(&mut rng, list)
                } else {
                    query_words(&mut rng, words)
                };
                let t = Instant::now();
                let page = index.search(&q, &filters, 0, 20).expect("search");
                samples.push(t.elapsed());
                hits += page.total;
            }
            row(&format!("{name} (avg {} hits)", hits / ROUNDS), samples);
        }

        let server = TestServer::start(env, interlink_catalogue::SERVICE_NAME, |env| {
            let mut routes = tonic::service::RoutesBuilder::default();
            routes.add_service(CatalogueServiceServer::new(CatalogueApi::new(
                env.db.clone(),
                env.outbox(),
                index.clone(),
            )));
            routes
        })
        .await;
        let client = CatalogueServiceClient::new(server.channel.clone());
        println!("\n-- through gRPC (one client, loopback), {ROUNDS} calls each --");
        for (name, words, filtered) in [
            ("SearchInterlinkers, one word, page of 20", 1, false),
            ("SearchInterlinkers, one word + filters", 1, true),
            ("SearchInterlinkers, no text + filters", 0, true),
        ] {
            let mut samples = Vec::with_capacity(ROUNDS);
            for _ in 0..ROUNDS {
                let request = pb::SearchInterlinkersRequest {
                    query: query_words(&mut rng, words),
                    natures: if filtered {
                        vec![pb::Nature::Software as i32, pb::Nature::Knowledge as i32]
                    } else {
                        Vec::new()
                    },
                    languages: if filtered {
                        vec!["es".into()]
                    } else {
                        Vec::new()
                    },
                    min_rating: if filtered { 2.0 } else { 0.0 },
                    ..Default::default()
                };
                let t = Instant::now();
                client
                    .clone()
                    .search_interlinkers(request)
                    .await
                    .expect("search");
                samples.push(t.elapsed());
            }
            row(name, samples);
        }
        let mut samples = Vec::with_capacity(ROUNDS);
        let mut token = String::new();
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let page = client
                .clone()
                .list_interlinkers(pb::ListInterlinkersRequest {
                    page_size: 50,
                    page_token: token.clone(),
                    ..Default::default()
                })
                .await
                .expect("list")
                .into_inner();
            samples.push(t.elapsed());
            token = page.next_page_token;
        }
        row("ListInterlinkers, page of 50", samples);
        let mut samples = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let id = &rows[rng.gen_range(0..rows.len())].id;
            let t = Instant::now();
            client
                .clone()
                .get_interlinker(pb::GetInterlinkerRequest {
                    name: format!("interlinkers/{id}"),
                })
                .await
                .expect("get");
            samples.push(t.elapsed());
        }
        row("GetInterlinker", samples);

        println!("\n-- throughput, 16 concurrent clients for 3 s --");
        for (name, kind) in [
            ("SearchInterlinkers, one word", 0),
            ("ListInterlinkers, page of 50", 1),
        ] {
            let deadline = Instant::now() + Duration::from_secs(3);
            let mut tasks = Vec::new();
            for worker in 0..16u64 {
                let client = client.clone();
                tasks.push(tokio::spawn(async move {
                    let mut rng = StdRng::seed_from_u64(worker);
                    let mut done = 0u64;
                    while Instant::now() < deadline {
                        if kind == 0 {
                            client
                                .clone()
                                .search_interlinkers(pb::SearchInterlinkersRequest {
                                    query: query_words(&mut rng, 1),
                                    ..Default::default()
                                })
                                .await
                                .expect("search");
                        } else {
                            client
                                .clone()
                                .list_interlinkers(pb::ListInterlinkersRequest {
                                    page_size: 50,
                                    ..Default::default()
                                })
                                .await
                                .expect("list");
                        }
                        done += 1;
                    }
                    done
                }));
            }
            let mut total = 0;
            for task in tasks {
                total += task.await.expect("worker");
            }
            println!("{name:<58} {:>8.0} req/s", total as f64 / 3.0);
        }

        println!("\n-- the alternative: PostgreSQL full-text search, {ROUNDS} queries each --");
        let db = &server.env.db;
        pg_fts(db, &rows, &mut rng).await;
        server.stop().await;
    });
}

trait BeginWrite {
    async fn begin_write_bench(&self) -> sea_orm::DatabaseTransaction;
}

impl BeginWrite for sea_orm::DatabaseConnection {
    async fn begin_write_bench(&self) -> sea_orm::DatabaseTransaction {
        interlink_runtime::db::begin_write(self)
            .await
            .expect("begin")
    }
}

/// The same data in a table with one tsvector per row (each language with
/// its own configuration; Latvian has none, so `simple`) and a GIN index;
/// a ranked page of 20 plus the facet counts, as the index answers them.
async fn pg_fts(db: &sea_orm::DatabaseConnection, rows: &[InterlinkerRow], rng: &mut StdRng) {
    let run = |sql: String| async move {
        db.execute_unprepared(&sql).await.expect("sql");
    };
    run(
        "CREATE TABLE fts (id TEXT PRIMARY KEY, nature TEXT, languages TEXT[], \
         difficulty TEXT, rating DOUBLE PRECISION, doc tsvector)"
            .into(),
    )
    .await;
    let txn = db.begin_write_bench().await;
    for row in rows {
        let f = &row.fields;
        let text = |l: &str| {
            let tags: Vec<&str> = f
                .tags
                .iter()
                .filter_map(|t| t.get(l))
                .map(String::as_str)
                .collect();
            format!(
                "{} {} {}",
                f.title.get(l).map(String::as_str).unwrap_or(""),
                tags.join(" "),
                f.description.get(l).map(String::as_str).unwrap_or("")
            )
        };
        txn.execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "INSERT INTO fts VALUES ($1, $2, $3, $4, $5, \
             to_tsvector('english', $6) || to_tsvector('spanish', $7) || \
             to_tsvector('italian', $8) || to_tsvector('simple', $9))",
            [
                row.id.clone().into(),
                format!("{:?}", row.nature).into(),
                row.fields.languages.clone().into(),
                format!("{:?}", row.fields.difficulty).into(),
                (row.rating_sum as f64 / row.rating_count.max(1) as f64).into(),
                text("en").into(),
                text("es").into(),
                text("it").into(),
                text("lv").into(),
            ],
        ))
        .await
        .expect("insert");
    }
    txn.commit().await.expect("commit");
    run("CREATE INDEX fts_doc ON fts USING GIN (doc)".into()).await;
    run("ANALYZE fts".into()).await;
    let tsquery = "(websearch_to_tsquery('english', $1) || websearch_to_tsquery('spanish', $1) \
                   || websearch_to_tsquery('italian', $1) || websearch_to_tsquery('simple', $1))";
    for (name, words, filtered) in [
        ("one common word: top 20 + 2 facets", 1, false),
        ("one rare word: top 20 + 2 facets", 9, false),
        ("one common word + filters: top 20 + 2 facets", 1, true),
    ] {
        let filter = if filtered {
            " AND nature IN ('Software', 'Knowledge') AND languages @> ARRAY['es'] AND rating >= 2"
        } else {
            ""
        };
        let page = format!(
            "SELECT id, ts_rank(doc, q) AS r FROM fts, (SELECT {tsquery} AS q) s \
             WHERE doc @@ q{filter} ORDER BY r DESC LIMIT 20"
        );
        let facets = format!(
            "SELECT nature, difficulty, count(*) AS n FROM fts, (SELECT {tsquery} AS q) s \
             WHERE doc @@ q{filter} GROUP BY GROUPING SETS ((nature), (difficulty))"
        );
        let mut samples = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let q = if words == 9 {
                let (_, list) = LANGUAGES.choose(rng).unwrap_or(&("en", EN));
                rare_word(rng, list)
            } else {
                query_words(rng, words)
            };
            let t = Instant::now();
            for sql in [&page, &facets] {
                db.query_all_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    sql,
                    [q.clone().into()],
                ))
                .await
                .expect("query");
            }
            samples.push(t.elapsed());
        }
        row(name, samples);
    }
}
