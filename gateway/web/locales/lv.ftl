skip-to-content = Pāriet uz galveno saturu
nav-label = Galvenā izvēlne
nav-home = Sākums
nav-catalogue = Katalogs
languages-label = Valoda
home-title = Kopīgi veidosim publiskos pakalpojumus
home-lead = Šeit valsts pārvalde, organizācijas un iedzīvotāji kopā izstrādā un sniedz publiskos pakalpojumus, izmantojot citur pārbaudītu rīku un vadlīniju katalogu.
home-catalogue-title = Katalogs
home-catalogue-text = Atrodiet rīkus, vadlīnijas un metodes — interlinkerus — katram kopradīšanas procesa solim.
home-catalogue-link = Pārlūkot katalogu
catalogue-title = Katalogs
catalogue-lead = Rīki, vadlīnijas un metodes publisko pakalpojumu kopradīšanai.
search-label = Meklēt katalogā
search-button = Meklēt
results-count = { $count ->
    [0] Neviens interlinkers nav atrasts
    [zero] Atrasti { $shown } interlinkeru
    [one] Atrasts { $shown } interlinkers
   *[other] Atrasti { $shown } interlinkeri
}
results-hint = Mēģiniet citus vārdus vai notīriet meklēšanu, lai redzētu visu.
next-page = Nākamā lapa
nature-software = Programmatūra
nature-knowledge = Zināšanas
nature-external-software = Ārēja programmatūra
nature-external-knowledge = Ārējas zināšanas
in-language = valodā: { $language }
not-found-title = Lapa nav atrasta
not-found-text = Šajā adresē nav lapas. Pārbaudiet to vai sāciet no jauna sākumlapā.
unavailable-title = Atvainojiet, šī lapa pašlaik nav pieejama
unavailable-text = Kāda platformas daļa neatbildēja. Mēģiniet vēlreiz pēc dažām minūtēm.
bad-request-title = Pieprasījumu neizdevās nolasīt
footer-text = { $site } darbojas ar Interlink — brīvu programmatūru publisko pakalpojumu kopradīšanai.
bad-request-text = Nosūtītais nav veidlapa, ko šī lapa var nolasīt. Atgriezieties un mēģiniet vēlreiz.
sign-in = Pieteikties
sign-out = Izrakstīties
signed-in-as = Pieteicies kā { $name }
account-label = Jūsu konts
session-ended = Jūsu sesija ir beigusies. Piesakieties vēlreiz, lai turpinātu.
sign-in-title = Pieteikties
dev-sign-in-lead = Šī ir izmēģinājuma instalācija: piesakieties kā jebkurš, ierakstot lietotāja identifikatoru. Valsts pārvaldes instalācijā cilvēki piesakās ar saviem kontiem.
sign-in-subject = Lietotāja identifikators
sign-in-subject-hint = Līdz 64 burtiem, cipariem un . _ @ - (tā pati persona kā “interlink token --sub”).
sign-in-name = Jūsu vārds (nav obligāts)
sign-in-name-hint = Tā, kā to redzēs citi. Ja atstāsiet tukšu, tiks rādīts jūsu identifikators.
sign-in-admin = Pieteikties kā platformas administratoram
sign-in-button = Pieteikties
sign-in-subject-missing = Ierakstiet lietotāja identifikatoru
sign-in-subject-invalid = Identifikatorā izmantojiet līdz 64 burtiem, cipariem un . _ @ -
sign-in-name-invalid = Vārdam izmantojiet līdz 100 rakstzīmēm vienā rindā
error-summary-title = Radusies problēma
error-prefix = Kļūda
form-refused-title = Šo veidlapu nevarēja pieņemt
form-refused-text = Tā tika nosūtīta no citas vietnes, vai arī tās lapa bija atvērta tik ilgi, ka sesija beidzās. Atgriezieties, pārlādējiet lapu un mēģiniet vēlreiz.
breadcrumb-label = Jūs atrodaties šeit
section-description = Kas tas ir
section-instructions = Kā to izmantot
section-constraints = Ierobežojumi
section-regulations = Normatīvi un standarti
facts-languages = Valodas
facts-problem-profiles = Problēmu profili
open-external = Atvērt to tā vietnē
genesis-title = Veidnes
genesis-text = Sākuma dokuments katrā valodā, kurā tas ir uzrakstīts:
state-draft = Šis interlinkers ir melnraksts: to redz tikai kataloga redaktori.
state-deprecated = Šis interlinkers ir novecojis: tas paliek procesiem, kas to izmanto, bet jauniem to nevajadzētu izvēlēties.
rating-summary = { $count ->
    [0] Vēl nav novērtēts
    [zero] Novērtējums { $average } no 5, vērtējuši { $shown } cilvēki
    [one] Novērtējums { $average } no 5, vērtējis { $shown } cilvēks
   *[other] Novērtējums { $average } no 5, vērtējuši { $shown } cilvēki
}
rating-stars = { $value ->
    [one] { $value } zvaigzne no 5
   *[other] { $value } zvaigznes no 5
}
ratings-title = Vērtējumi
no-ratings = Neviens vēl nav novērtējis šo interlinkeru.
someone = Kāds
rate-heading = Novērtējiet šo interlinkeru
rate-replaces = Jūs to jau novērtējāt: saglabājot jūsu vērtējums tiks aizstāts.
rate-value = Jūsu vērtējums
rate-title-label = Virsraksts (nav obligāts)
rate-title-hint = Līdz 200 rakstzīmēm vienā rindā.
rate-text-label = Jūsu atsauksme (nav obligāta)
rate-text-hint = Līdz 5000 rakstzīmēm: kas noderēja un kam.
rate-button = Saglabāt manu vērtējumu
rate-sign-in = Piesakieties, lai novērtētu šo interlinkeru
rate-saved = Paldies: jūsu vērtējums ir saglabāts.
rate-value-invalid = Izvēlieties no 1 līdz 5 zvaigznēm
rate-title-invalid = Virsrakstam izmantojiet līdz 200 rakstzīmēm vienā rindā
rate-text-invalid = Atsauksmei izmantojiet līdz 5000 rakstzīmēm
rate-unpublished-title = Var novērtēt tikai publicētus interlinkerus
rate-unpublished-text = Šis interlinkers ir melnraksts vai novecojis, tāpēc tagad to nevar novērtēt.
sign-in-needed-title = Lūdzu, piesakieties vēlreiz
sign-in-needed-text = Jūsu sesija beidzās, pirms veidlapa tika nosūtīta. Piesakieties un nosūtiet to vēlreiz.
related-title = Saistītie interlinkeri
nav-organizations = Organizācijas
forbidden-title = Jūs to nedrīkstat darīt
forbidden-text = Jūsu kontam šeit nav tiesību to darīt. Ja vajag, lūdziet organizācijas vai komandas administratoru.
conflict-title = To tagad nevarēja izdarīt
conflict-text = Tas nesaskan ar pašreizējo stāvokli: { $reason }
too-many-title = Pārāk daudz pieprasījumu
too-many-text = Platforma ir aizņemta vai saņēma no jums pārāk daudz pieprasījumu. Uzgaidiet minūti un mēģiniet vēlreiz.
sign-in-first-text = Vispirms piesakieties, tad atveriet šo lapu vēlreiz.
cancel = Atcelt
save-changes = Saglabāt izmaiņas
changes-saved = Jūsu izmaiņas ir saglabātas.
edit-in-language = Jūs rediģējat tekstus šīs lapas valodā; citu valodu teksti paliek, kā bija.
description-label = Apraksts (nav obligāts)
description-hint = Līdz 5000 rakstzīmēm.
description-invalid = Aprakstam izmantojiet līdz 5000 rakstzīmēm
logo-label = Logotipa adrese (nav obligāta)
logo-hint = Adrese, kas sākas ar https://
logo-invalid = Ierakstiet logotipa adresi kā https:// saiti
administrator = administrators
you = jūs
organizations-title = Organizācijas
organizations-lead = Iesaistītās valsts pārvaldes iestādes, uzņēmumi un biedrības, katra ar savām komandām.
organizations-none = Vēl nav nevienas organizācijas, ko jūs varat redzēt.
organization-new = Izveidot organizāciju
organization-sign-in = Piesakieties, lai izveidotu organizāciju
organization-created = Organizācija ir izveidota, un jūs esat tās administrators.
organization-deleted = Organizācija ir dzēsta.
organization-name = Nosaukums
organization-name-hint = Tā, kā to redzēs citi, līdz 200 rakstzīmēm.
organization-name-invalid = Ierakstiet nosaukumu līdz 200 rakstzīmēm
organization-public = Šo organizāciju var redzēt ikviens (bez atzīmes: tikai tās dalībnieki)
default-team-type = Tās komandas ir, ja tās nenorāda citādi
team-creation-policy = Kas var veidot tās komandas
team-type-citizen = Iedzīvotāji
team-type-public-administration = Valsts pārvalde
team-type-nonprofit = Bezpeļņas organizācija
team-type-forprofit = Uzņēmums
team-type-unspecified = Nav norādīts
team-type-invalid = Izvēlieties, kādus cilvēkus komanda apvieno
policy-administrators = Tikai tās administratori
policy-members = Tās administratori un tās komandu dalībnieki
policy-anyone = Ikviens, kas pieteicies
policy-invalid = Izvēlieties, kas var veidot komandas
organization-create = Izveidot organizāciju
organization-edit = Rediģēt organizāciju
organization-edit-title = Rediģēt: { $name }
organization-delete = Dzēst organizāciju
organization-delete-title = Dzēst: { $name }?
organization-delete-text = { $teams ->
    [0] { $name } tiks dzēsta. To nevar atsaukt.
    [one] { $name } un tās komanda tiks dzēstas kopā ar dalību komandā. To nevar atsaukt.
   *[other] { $name } un tās komandas ({ $teams }) tiks dzēstas kopā ar dalību tajās. To nevar atsaukt.
}
organization-delete-button = Dzēst
facts-visibility = Kas to redz
members-only = Tikai tās dalībnieki
visible-to-all = Visi
facts-team-type = Tās komandas ir
facts-team-creation = Kas veido komandas
facts-administrators = Administratori
teams-title = Komandas
teams-none = Tai vēl nav komandu.
member-count = { $count ->
    [0] nav dalībnieku
    [zero] { $shown } dalībnieku
    [one] { $shown } dalībnieks
   *[other] { $shown } dalībnieki
}
team-new = Izveidot komandu
team-name = Komandas nosaukums
team-name-invalid = Ierakstiet komandas nosaukumu līdz 200 rakstzīmēm
team-type-label = Tās dalībnieki ir
team-create = Izveidot komandu
team-created = Komanda ir izveidota, un jūs esat tās administrators.
team-edit = Rediģēt komandu
team-edit-title = Rediģēt: { $name }
team-delete = Dzēst komandu
team-delete-title = Dzēst: { $name }?
team-delete-text = { $name } tiks dzēsta kopā ar visu dalību tajā ({ $members }). To nevar atsaukt.
team-delete-button = Dzēst
members-title = Dalībnieki
member-remove = Izņemt: { $name }
member-removed = Dalībnieks ir izņemts no komandas.
team-leave = Pamest šo komandu
team-left = Jūs pametāt komandu.
team-joined = Laipni lūdzam: tagad jūs esat šīs komandas dalībnieks.
join-title = Pievienoties šai komandai
join-sign-in = Piesakieties, lai lūgtu pievienoties šai komandai
reason-label = Kāpēc vēlaties pievienoties (nav obligāts)
reason-hint = To lasa komandas administratori. Līdz 2000 rakstzīmēm.
reason-invalid = Iemeslam izmantojiet līdz 2000 rakstzīmēm
apply-button = Lūgt pievienoties
application-sent = Jūsu lūgums ir nosūtīts komandas administratoriem.
application-waiting = Jūsu lūgums pievienoties gaida komandas administratoru lēmumu.
application-withdraw = Atsaukt manu lūgumu
application-withdrawn = Jūsu lūgums ir atsaukts.
application-decided = Par lūgumu ir izlemts.
applications-title = Lūgumi pievienoties
applications-none = Neviens nav lūdzis pievienoties.
application-accept = Pieņemt: { $name }
application-reject = Noraidīt: { $name }
application-pending = gaida
application-accepted = pieņemts
application-rejected = noraidīts
application-withdrawn-state = atsaukts
invitations-title = Ielūgumi
invite-email = E-pasta adrese
invite-email-hint = Ko ielūgt. Saiti nosūtāt jūs pats.
email-invalid = Ierakstiet e-pasta adresi, piemēram, vards@piemers.lv
invite-administrator = Ielūgt kā komandas administratoru
invite-button = Izveidot ielūguma saiti
invitation-state = Stāvoklis
invitation-expires = Derīgs līdz
invitation-pending = gaida
invitation-accepted = pieņemts
invitation-revoked-state = atsaukts
invitation-expired = beidzies
invitation-revoke = Atsaukt ielūgumu: { $email }
invitation-revoked = Ielūgums ir atsaukts.
invitation-made-title = Ielūgums izveidots
invitation-made-text = Nosūtiet šo saiti uz { $email }. Kas to atver un piesakās, pievienojas komandai.
invitation-link = Nosūtāmā saite
invitation-code = Ielūguma kods
invitation-code-hint = Tam, kura pārlūks saiti neatver: šo kodu var ielīmēt ielūguma lapā.
invitation-valid-until = Tas darbojas līdz
invitation-shown-once = Tas redzams tikai tagad: nokopējiet to, pirms pametat šo lapu.
back-to-team = Atpakaļ uz komandu
invitation-title = Pieņemt ielūgumu
invitation-lead = Jūs esat ielūgts pievienoties komandai. Pārbaudiet kodu un pieņemiet.
invitation-code-paste = 43 burti, cipari, - un _ jūsu ielūguma saites beigās, aiz #.
invitation-accept = Pievienoties komandai
invitation-sign-in-first = Jūs esat ielūgts pievienoties komandai. Vispirms piesakieties, tad atveriet ielūguma saiti vēlreiz.
invitation-code-invalid = Ierakstiet kodu tā, kā tas ir saitē: 43 burti, cipari, - un _
invitation-code-unknown = Nevienam ielūgumam nav šāda koda: salīdziniet to ar saiti
invitation-code-used = Šo ielūgumu vairs nevar izmantot: tas ir izmantots, atsaukts vai beidzies
account-erased = Jūsu konts ir dzēsts. Paldies par dalību.
profile-title = Jūsu profils
profile-user-id = Lietotāja identifikators
profile-email = E-pasts no jūsu pieteikšanās
profile-email-none = nav norādīts
profile-role = Loma
profile-platform-admin = Platformas administrators
profile-name = Jūsu vārds
profile-name-hint = Tā, kā to redz citi, līdz 200 rakstzīmēm vienā rindā.
profile-name-invalid = Ierakstiet vārdu līdz 200 rakstzīmēm vienā rindā
profile-language = Jūsu valoda
profile-locale-invalid = Izvēlieties savu valodu
language-other = Paturēt { $tag }
profile-emails = Citas e-pasta adreses (nav obligātas)
profile-emails-hint = Pa vienai rindā, līdz 10, katru vienreiz.
profile-emails-invalid = Ierakstiet līdz 10 dažādām e-pasta adresēm, pa vienai rindā, piemēram, vards@piemers.lv
terms-title = Lietošanas noteikumi
terms-text = Lai piedalītos kopradīšanas procesos, pieņemiet šīs platformas lietošanas noteikumus, kā tos publicē iestāde, kas to uztur.
terms-accept = Es pieņemu lietošanas noteikumus
terms-accepted = Jūs pieņēmāt lietošanas noteikumus.
terms-accepted-on = Jūs pieņēmāt lietošanas noteikumus
your-data-title = Jūsu dati
your-data-text = Lejupielādējiet, ko platforma glabā par jums: jūsu profilu, jūsu administrētās organizācijas, jūsu komandas, lūgumus pievienoties un ielūgumus.
your-data-download = Lejupielādēt manus datus (JSON)
erase-heading = Dzēst savu kontu
erase-lead = Jūsu vārds un adreses tiek neatgriezeniski dzēsti; jūsu rakstītais paliek, piedēvēts dzēstam lietotājam.
erase-link = Dzēst manu kontu
erase-title = Dzēst jūsu kontu?
erase-text = Jūsu vārds un e-pasta adreses tiks dzēsti, jūs pametīsiet savas komandas un tiksiet izrakstīts. Jūsu rakstītais paliek, piedēvēts dzēstam lietotājam. To nevar atsaukt. Ja esat pēdējais organizācijas vai komandas administrators, vispirms ieceliet citu.
erase-button = Dzēst manu kontu

# Pieteikšanās ar OpenID Connect
sign-in-unavailable-title = Pašlaik pieteikties nav iespējams
sign-in-unavailable-text = Pieteikšanās pakalpojums neatbild. Lūdzu, mēģiniet vēlreiz pēc dažām minūtēm.
sign-in-expired-title = Šī pieteikšanās ir beigusies vai jau izmantota
sign-in-expired-text = Pieteikšanās ilga pārāk ilgi, vai tās lapa tika atvērta divreiz. Sāciet no jauna ar pieteikšanās saiti.
sign-in-refused-title = Šī pieteikšanās tika noraidīta
sign-in-refused-text = Pieteikšanās pakalpojuma atbilde neatbilst pieteikšanās, ko sāka šī pārlūkprogramma. Sāciet no jauna ar pieteikšanās saiti.
sign-in-cancelled-title = Jūs nepieteicāties
sign-in-cancelled-text = Pieteikšanās pakalpojums ziņo, ka pieteikšanās tika atcelta vai nav atļauta. Varat sākt no jauna ar pieteikšanās saiti.
sign-in-failed-title = Pieteikties neizdevās
sign-in-failed-text = Pieteikšanās pakalpojuma atbildi neizdevās pārbaudīt. Lūdzu, sāciet no jauna ar pieteikšanās saiti; ja kļūda atkārtojas, ziņojiet platformas administratoriem.

# Kataloga filtri un problēmu profili
problem-profiles-link = Vai sāciet ar problēmu, kas jums ir.
problem-profiles-title = Problēmas un to risināšanas rīki
problem-profiles-lead = Katra problēma, ar ko var saskarties koprades process, sagrupēta pēc posma, kuram tā pieder. Atveriet kādu, lai redzētu rīkus, kas to risina.
problem-profiles-families = Posmi
filters-title = Filtri
filter-nature = Veids
filter-rating = Vērtējums
filter-language = Pieejams valodā
filter-profiles = Risinātās problēmas
filters-apply = Lietot filtrus
filters-clear = Noņemt filtrus
rating-any = Jebkurš vērtējums
rating-at-least = { $stars ->
    [zero] { $stars } zvaigznes vai vairāk
    [one] { $stars } zvaigzne vai vairāk
   *[other] { $stars } zvaigznes vai vairāk
}
results-hint-filtered = Izmēģiniet mazāk filtru vai citus vārdus.
family-organisational = Procesa organizēšana
family-understanding = Problēmas izpratne
family-definition = Pakalpojuma definēšana
family-building = Pakalpojuma veidošana
family-validation = Pakalpojuma pārbaude
family-sustainability = Ilgtspēja
family-hackathon = Hakatoni
family-other = Citi

# Koprades shēmas
schemas-title = Koprades shēmas
schemas-lead = Shēma ir plāns, pēc kura norit koprades process: tā posmi, katra posma mērķi un katra mērķa uzdevumi. Procesi sākas no kādas no tām.
schemas-none = Vēl nav publicēta neviena shēma.
schemas-link = Uzziniet, kā norit koprades process: shēmas.
schema-version = Versija { $version }
schema-version-published = Versija { $version }, publicēta { $date }
schema-counts = { $phases ->
    [zero] { $phases } posmu
    [one] { $phases } posms
   *[other] { $phases } posmi
}, { $objectives ->
    [zero] { $objectives } mērķu
    [one] { $objectives } mērķis
   *[other] { $objectives } mērķi
}, { $tasks ->
    [zero] { $tasks } uzdevumu
    [one] { $tasks } uzdevums
   *[other] { $tasks } uzdevumi
}
schema-older = Šī ir shēmas agrāka versija.
schema-see-latest = Skatīt jaunāko versiju.
schema-version-label = Versija
schema-version-show = Rādīt šo versiju
schema-phases = Posmi
schema-phase = Posms
schema-objective = Mērķis
schema-task = Uzdevums
schema-co-delivery = Daļa no kopīgas sniegšanas: šajā posmā pakalpojumu sniedz kopā.
schema-after = Pēc:
schema-problems = Risinātās problēmas:

# Publiskie procesi un stāsti
nav-processes = Procesi
nav-stories = Stāsti
processes-title = Koprades procesi
processes-lead = Publiskie pakalpojumi, ko valsts pārvalde, organizācijas un iedzīvotāji izstrādā un sniedz kopā. Publiskos procesus var sekot ikviens.
processes-found = Procesi
processes-none = Vēl nav neviena publiska procesa.
processes-none-filtered = Šiem filtriem neatbilst neviens publisks process.
filter-status = Statuss
filter-organization = Organizācija
status-any = Jebkurš statuss
organization-any = Jebkura organizācija
status-awaiting = Nav sākts
status-in-progress = Notiek
status-finished = Pabeigts
progress-done = Paveikti { $percent } %
period-from-to = No { $start } līdz { $end }
period-from = No { $start }
period-until = Līdz { $end }
process-description = Par ko tas ir
process-aim = Tā mērķis
process-idea = Ideja
process-organization = Kas to vada
process-challenges = Izaicinājumi
process-requirements = Prasības
process-plan = Plāns
process-plan-none = Plāns vēl nav sastādīts.
process-stories = Tā stāsti
process-stories-none = Par šo procesu vēl nav pastāstīts neviens stāsts.
stories-title = Veiksmes stāsti
stories-lead = Ko koprades procesi sasniedza un ko iemācījās, to vadītāju stāstījumā.
stories-none = Vēl nav publicēts neviens stāsts.
published-on = Publicēts { $date }
story-by = Autors: { $name }
story-process = No procesa
story-description = Stāsts
story-results = Rezultāti
story-lessons = Gūtās mācības
story-period = Kad
story-licences = Licences
story-keywords = Atslēgvārdi
home-processes-title = Notiekošie procesi
home-processes-link = Visi publiskie procesi
home-stories-title = Stāsti
home-stories-link = Visi stāsti
home-highlights-title = No kataloga

# Organizācijas administratori
organization-admin-add = Padarīt { $name } par organizācijas administratoru
organization-admin-remove = Noņemt { $name } no administratoriem
organization-admin-step-down = Vairs nebūt administratoram
organization-admin-hint = Lai pievienotu administratoru, atveriet kādu no organizācijas komandām un izvēlieties tur dalībnieku. Organizācijā vienmēr paliek vismaz viens administrators.
organization-admin-added = Jaunais administrators ir pievienots.
organization-admin-removed = Administrators ir noņemts.

# Darba vieta
nav-workspace = Mani procesi
workspace-title = Mani procesi
workspace-lead = Koprades procesi, kurus jūs vadāt vai kuros piedalāties ar komandu.
workspace-processes = Procesi
workspace-none = Jūs vēl nevadāt un nepiedalāties nevienā procesā. Izveidojiet procesu vai lūdziet uzņemt jūs komandā, kas kādā piedalās.
process-new = Jauns process
process-create = Izveidot procesu
process-title-label = Nosaukums
process-title-hint = Līdz 200 rakstzīmēm vienā rindā.
process-title-invalid = Ierakstiet nosaukumu līdz 200 rakstzīmēm vienā rindā
process-organization-label = Organizācija
process-organization-hint = Process pieder šai organizācijai; jums jābūt tās dalībniekam vai administratoram.
process-organization-invalid = Izvēlieties organizāciju, kurai piederat
process-language-label = Valoda
process-language-hint = Valoda, kurā process notiek.
process-language-invalid = Izvēlieties valodu, kurā process notiek
process-description-hint = Par ko ir process, tiem, kas piedalīsies.
process-description-invalid = Uzrakstiet aprakstu līdz 10 000 rakstzīmēm
process-public = Šim procesam var sekot ikviens
process-no-organization = Process pieder organizācijai, un jūs vēl neredzat nevienu.
process-created = Process ir izveidots: jūs to administrējat.
process-deleted = Process ir dzēsts.

workspace-none-filtered = Neviens no jūsu procesiem neatbilst šiem filtriem.

# Procesa plānošana un darbs tajā
process-planned = Plāns ir sastādīts pēc shēmas.
task-status-saved = Uzdevuma statuss ir saglabāts.
process-plan-choose = Plānot pēc shēmas
process-plan-preview = skatīt
process-plan-build = Sastādīt plānu
task-status-label = { $task } statuss
task-status-save = Mainīt
task-blocked-title = Šo uzdevumu vēl nevar sākt
task-blocked-text = “{ $task }” gaida šos, kas ir jāpabeidz vispirms:
task-blocked-back = Atpakaļ uz procesu

# Procesa iestatījumi
process-settings = Iestatījumi
process-settings-title = { $name } iestatījumi
process-aim-label = Tā mērķis (nav obligāts)
process-idea-label = Ideja (nav obligāta)
process-text-invalid = Uzrakstiet līdz 10 000 rakstzīmēm
process-more = Eksportēt un dzēst
process-export = Lejupielādēt visu procesu (JSON)
process-delete = Dzēst procesu
process-delete-title = Dzēst { $name }?
process-delete-text = Tā plāns, resursi, ieguldījumi un stāsti tiek dzēsti kopā ar to, visiem. To nevar atsaukt; vispirms lejupielādējiet kopiju.
process-delete-button = Dzēst procesu

# Stāstu stāstīšana un vērtēšana
story-new = Pastāstīt tā stāstu
story-new-lead = Ko process sasniedza un ko iemācījās, tiem, kas vadīs līdzīgu. To var lasīt ikviens, kas var redzēt procesu.
story-title-label = Nosaukums
story-title-invalid = Ierakstiet nosaukumu līdz 200 rakstzīmēm vienā rindā
story-words-hint = Atdalīti ar komatiem.
story-words-invalid = Norādiet līdz 30, katru līdz 60 rakstzīmēm, atdalītus ar komatiem
story-publish = Publicēt stāstu
story-published = Stāsts ir publicēts.
story-rate = Jūsu vērtējums šim stāstam
story-rate-button = Saglabāt manu vērtējumu
story-rated = Paldies: jūsu vērtējums ir saglabāts.

# Ceļvedis
process-tabs-label = Procesa daļas
process-tab-overview = Pārskats
process-tab-guide = Ceļvedis
guide-empty = Procesam vēl nav plāna: plānojiet to no shēmas tā pārskatā.
guide-phases = Posmi
guide-tree = Posma mērķi un uzdevumi
item-kind-phase = Posms
item-kind-objective = Mērķis
item-kind-task = Uzdevums
item-add-phase = Pievienot posmu
item-add-objective = Pievienot mērķi
item-add-task = Pievienot uzdevumu
item-title = Nosaukums
item-description = Apraksts
item-start = Sākuma datums
item-end = Beigu datums
item-problems = Problēmas, ko tas risina
item-problems-hint = Problēmu profilu kodi, atdalīti ar komatiem.
item-save = Saglabāt
item-edit = Labot
item-status = Statuss
item-prerequisites = Nāk pēc
item-prerequisites-edit = Izvēlēties, kas nāk pirms
item-prerequisites-legend = Šis elements sākas, kad šie ir pabeigti
item-prerequisites-cycle = Šie ietu pa apli, katrs gaidot nākamo:
item-prerequisites-invalid = Izvēlieties elementus blakus šim, katru vienreiz
item-disabled-mark = atspējots
item-is-disabled = Šis elements ir atspējots: tas ir saglabāts, bet vairs netiek ieskaitīts progresā.
item-copy = Kopēt to ar visu, kas tajā ietilpst
item-disable = Atspējot to
item-disable-title = Atspējot { $name }?
item-disable-text = Tas un viss, kas tajā ietilpst, vairs netiek ieskaitīts progresā un nepieņem izmaiņas. Tie tiek saglabāti, kopā ar to, kas un kad tos atspējoja.
item-title-invalid = Uzrakstiet nosaukumu līdz 200 rakstzīmēm
item-date-invalid = Norādiet īstu datumu (gads, mēnesis, diena)
item-end-invalid = Beigas nedrīkst būt pirms sākuma
item-problems-invalid = Norādiet zināmus problēmu profilu kodus (mazie burti, cipari un defises), katru vienreiz
item-added = Elements ir pievienots.
item-copied = Šī ir kopija.
item-disabled = Elements ir atspējots.
item-resources = Resursi
item-resources-none = Resursu vēl nav.
asset-added-by = Pievienoja { $name }
asset-recommended = Ieteikti šī uzdevuma problēmām
asset-use = Izmantot { $name }
asset-from-catalogue = No kataloga
asset-search-label = Meklēt resursu katalogā
asset-search-none = Katalogā nekas neatbilst.
asset-link = Pievienot saiti uz ārēju resursu
asset-link-name = Nosaukums
asset-link-uri = Adrese
asset-link-uri-hint = Sākas ar https://
asset-link-add = Pievienot saiti
asset-link-name-invalid = Uzrakstiet nosaukumu līdz 200 rakstzīmēm
asset-link-uri-invalid = Norādiet adresi, kas sākas ar https:// vai http://
asset-added = Resurss ir pievienots.
asset-delete = Dzēst { $name }
asset-delete-text = Resurss pazūd no uzdevuma visiem. To nevar atsaukt.
asset-delete-button = Dzēst resursu
asset-deleted = Resurss ir dzēsts.
asset-preparing = Tiek sagatavots tā interlinker…
asset-prepare-failed = To neizdevās izveidot tā interlinker: { $reason }
asset-retry = Mēģināt vēlreiz izveidot { $name }
asset-retried = Resurss tiek sagatavots vēlreiz.
asset-open = Atvērt { $name }
item-permissions = Atļaujas
may-lead = Šeit jūs varat:
may-nothing = Šeit jūs varat tikai lasīt.
may-administer = pārvaldīt procesu
may-edit-tree = mainīt plānu
may-set-status = mainīt uzdevumu statusu
may-access-assets = atvērt tā resursus
may-create-assets = pievienot resursus
may-delete-assets = dzēst resursus
item-grants = Komandas ar tiesībām šeit
grant-access-assets = atvērt resursus
grant-create-assets = pievienot resursus
grant-delete-assets = dzēst resursus
grant-on-process = visā procesā
a-team = Kāda komanda
item-contributions = Ieguldījumi
claims-none = Ieguldījumi vēl nav pieteikti.
claim-new = Pieteikt ieguldījumu
claim-kind = Darba veids
claim-kind-management = Vadība
claim-kind-development = Izstrāde
claim-kind-exploitation = Izmantošana
claim-description = Ko jūs paveicāt
claim-description-invalid = Rakstiet līdz 2000 rakstzīmēm
claim-make = Pieteikt
claim-made = Jūsu pieteikums ir nosūtīts procesa pārvaldītājiem.
claim-pending = gaida lēmumu
claim-accepted = pieņemts
claim-rejected = noraidīts
claim-accept = Pieņemt
claim-reject = Noraidīt
claim-decided = Lēmums ir saglabāts.

# Procesa komanda
process-tab-team = Komanda
process-administrators = Procesa pārvaldītāji
process-administrator-remove = Noņemt { $name } no pārvaldītājiem
process-administrator-candidates = Iesaistīto komandu dalībnieki
process-administrator-add = Padarīt { $name } par pārvaldītāju
grants-title = Komandas un to tiesības
grants-none = Nevienai komandai vēl nav tiesību šajā procesā.
grant-team = Komanda
grant-item = Kur
grant-rights = Tiesības
grant-revoke = Atsaukt
grant-revoke-team = Atsaukt { $name } tiesības
grant-new = Piešķirt komandai tiesības
grant-no-teams = Organizācijai vēl nav komandu.
grant-make = Piešķirt šīs tiesības
grant-made = Komandai ir tās tiesības.
grant-revoked = Tiesības ir atsauktas.
grant-team-invalid = Izvēlieties komandu
grant-item-invalid = Izvēlieties procesu vai kādu no tā elementiem
grant-rights-invalid = Izvēlieties vismaz vienas tiesības

# Darba plāns
process-tab-workplan = Darba plāns
workplan-zoom = Mērogs
workplan-zoom-day = Dienas
workplan-zoom-week = Nedēļas
workplan-zoom-month = Mēneši
workplan-download = Lejupielādēt diagrammu (SVG)
workplan-lead = Katra josla stiepjas no elementa sākuma līdz beigām, aizpildīta tiktāl, cik tas ir paveikts. Katrs nosaukums ved uz elementu ceļvedī.
workplan-arrows = Bultas ved no tā, kas nāk pirmais, uz to, kas to gaida.
workplan-no-dates = Nevienam uzdevumam vēl nav datumu: norādiet uzdevumu sākuma un beigu datumus ceļvedī.

# Procesa resursi
process-tab-resources = Resursi
filter-any = Jebkurš
resources-interlinker = Interlinker
resources-nature = Veids
resources-creator = Pievienoja
resources-added = Pievienots
resources-count = { $count ->
    [zero] { $count } resursu
    [one] { $count } resurss
   *[other] { $count } resursi
}
resources-none = Procesam vēl nav resursu: pievienojiet tos tā uzdevumiem ceļvedī.
resources-none-filtered = Neviens resurss neatbilst šiem filtriem.
asset-link-nature = Saite

# Procesa uzraudzība
process-tab-monitoring = Uzraudzība
monitoring-process = Šis process
monitoring-organization = Tā organizācija
monitoring-organization-lead = Visas organizācijas ieviešanas rādītāji, atjaunoti, notikumiem notiekot. Joslas rāda katras dienas izmaiņas pēdējās 30 dienās.
monitoring-series = Izmaiņas pēdējās 30 dienās: { $change }
monitoring-trail = Kas notika šajā procesā
kpi-process-assets = Resursi
kpi-active-7 = Aktīvi cilvēki, pēdējās 7 dienas
kpi-active-30 = Aktīvi cilvēki, pēdējās 30 dienas
kpi-processes = Procesi
kpi-assets = Resursi
kpi-claims = Pieteiktie ieguldījumi
kpi-claims-accepted = Pieņemtie ieguldījumi
kpi-stories = Publicētie stāsti
kpi-teams = Komandas
kpi-participants = Cilvēki komandās
kpi-interlinkers-used = Izmantotie interlinkeri
kpi-cloned-processes = Klonētie procesi
kpi-co-delivered-processes = Kopīgi sniegtie procesi
trail-valid = Žurnāls ir neskarts: pārbaudīti { $entries } ieraksti, neviens nav mainīts.
trail-broken = Žurnāls ir bojāts ierakstā { $sequence }: { $reason }
trail-filter-model = Kas mainījās
trail-none = Šeit vēl nekas nav noticis.
trail-when = Kad (UTC)
trail-who = Kas
trail-what = Kas notika
trail-the-platform = Platforma
trail-model-process = Process
trail-model-item = Plāna elements
trail-model-task = Uzdevums
trail-model-grant = Tiesības
trail-model-asset = Resurss
trail-model-claim = Ieguldījums
trail-model-story = Stāsts
trail-action-created = izveidots
trail-action-updated = mainīts
trail-action-deleted = dzēsts
trail-action-schema-set = plānots no shēmas
trail-action-schema-cleared = plāns notīrīts
trail-action-cloned = klonēts
trail-action-imported = importēts
trail-action-added = pievienots
trail-action-removed = noņemts
trail-action-copied = kopēts
trail-action-disabled = atspējots
trail-action-status-changed = statuss mainīts
trail-action-submitted = pieteikts
trail-action-decided = izlemts
trail-action-published = publicēts
trail-action-rated = novērtēts

# Procesa pārskats: soļi un darbības
wizard-title = Procesa sagatavošana
wizard-data = Aprakstīt procesu un izvēlēties tā pārvaldītājus
wizard-schema = Plānot to no shēmas
wizard-teams = Iesaistīt komandas
wizard-permissions = Ļaut komandām pie tā strādāt
wizard-resources = Pievienot uzdevumiem resursus
wizard-ready = Sākt pirmo uzdevumu
wizard-done = paveikts
wizard-pending = jāpaveic
process-activity = Jaunākās darbības
process-activity-all = Visas darbības
process-activity-none = Šajā procesā vēl nekas nav noticis.

# Procesu importēšana, klonēšana un notīrīšana
import-title = Importēt procesu
import-lead = Izveidojiet jaunu procesu no faila, kas lejupielādēts procesa iestatījumos šeit vai citā Interlink.
import-file = Procesa fails (JSON)
import-file-hint = interlink.process/1 formāta fails līdz 2 MB.
import-button = Importēt
import-file-missing = Izvēlieties importējamo failu
import-file-unreadable = Failu neizdevās nolasīt kā tekstu
import-objections = Fails netika importēts. Katra vieta failā, kas jālabo:
import-too-large-title = Fails ir pārāk liels
import-too-large-text = Procesa fails var būt līdz 2 MB.
process-imported = Process ir importēts.
process-clone = Klonēt to
process-clone-title = Jaunā procesa nosaukums
process-clone-hint = Ja atstāsiet tukšu, tas būs šis nosaukums ar piebildi „(kopija)”.
process-clone-grants = Piešķirt komandām tās pašas tiesības jaunajā procesā
process-clone-button = Izveidot jaunu procesu kā šis
process-cloned = Šis ir jaunais process, veidots kā tas, no kura tas klonēts.
process-clear = Notīrīt plānu
process-clear-title = Notīrīt { $name } plānu?
process-clear-text = Tā posmi, mērķi un uzdevumi tiek dzēsti kopā ar resursiem un ieguldījumiem, lai to varētu plānot no jauna. To nevar atsaukt; vispirms lejupielādējiet procesu, lai saglabātu kopiju.
process-clear-button = Notīrīt plānu
process-cleared = Plāns ir notīrīts: plānojiet procesu vēlreiz no shēmas.
story-clone = Darīt to vēlreiz
story-clone-lead = Sāciet jaunu procesu tajā pašā organizācijā, plānotu kā tas, par kuru stāsta šis stāsts.
story-clone-button = Sākt procesu kā šis

# Procesu sarakstu meklēšana un kārtošana
filter-words = Nosaukuma vārdi
filter-tag = Birka
filter-sort = Secība
sort-newest = Jaunākie vispirms
sort-oldest = Vecākie vispirms
sort-title = Pēc nosaukuma
sort-updated = Nesen mainītie vispirms
process-tags = Birkas
process-tags-invalid = Norādiet līdz 50 birkām, katru līdz 60 rakstzīmēm, atdalītas ar komatiem
asset-instantiate = Izveidot to tā lapā
instantiate-title = Izveidot resursu tā interlinkerī
instantiate-lead = Aizpildiet interlinkera lapu zemāk. Kad resurss būs izveidots, tas tiks pievienots uzdevumam.
instantiate-noscript = Šai lapai vajadzīgs JavaScript. Bez tā izmantojiet resursa pogu “Izmantot”: platforma to izveidos jūsu vietā.
instantiate-frame = Interlinkera lapa
nav-notifications = Paziņojumi
bell-unseen = { $count ->
    [zero] , { $count } neskatīti
    [one] , { $count } neskatīts
   *[other] , { $count } neskatīti
}
notifications-title = Paziņojumi
notifications-archive-title = Arhivētie paziņojumi
notifications-views = Rādāmie paziņojumi
notifications-inbox = Iesūtne
notifications-archived = Arhivētie
notifications-unseen-count = { $count ->
    [zero] Jums ir { $count } neskatītu paziņojumu.
    [one] Jums ir { $count } neskatīts paziņojums.
   *[other] Jums ir { $count } neskatīti paziņojumi.
}
notifications-mark-all = Atzīmēt visus kā skatītus
notifications-mark-seen = Atzīmēt kā skatītu
notifications-archive = Arhivēt
notifications-new = Jauns
notifications-none = Pagaidām nav ko paziņot. Šeit uzzināsiet, kad kas skar jūs: komanda, uzdevums, pieteikums vai process.
notifications-none-archived = Jūs neesat arhivējis nevienu paziņojumu.
notifications-older = Vecāki paziņojumi
notifications-all-seen = Visi jūsu paziņojumi atzīmēti kā skatīti.
notifications-archived-done = Paziņojums ir arhivēts.
preferences-title = Paziņojumu iestatījumi
preferences-tab = Iestatījumi
preferences-lead = Viss ir redzams jūsu iesūtnē. Izvēlieties, kuri paziņojumi jums pienāk arī e-pastā, un kad.
preferences-address = E-pasti tiek sūtīti uz { $address }, jūsu pieteikšanās konta adresi.
preferences-no-address = Jūsu pieteikšanās kontam nav e-pasta adreses, tāpēc jums netiek sūtīti e-pasti.
preferences-email-off = Šī platforma nesūta e-pastus: jūsu paziņojumi paliek iesūtnē.
preferences-save = Saglabāt manus iestatījumus
preferences-immediate = E-pastā uzreiz
preferences-daily = Dienas kopsavilkumā e-pastā
preferences-never = Tikai manā iesūtnē
preference-team-member-added = Kad mani pievieno komandai
preference-team-member-removed = Kad mani izņem no komandas
preference-team-granted = Kad manai komandai uztic procesu vai tā daļu
preference-application-submitted = Kad kāds piesakās komandai, ko es administrēju
preference-application-decided = Kad izlemts par manu pieteikumu komandai
preference-invitation = Kad mani uzaicina pievienoties komandai
preference-claim-submitted = Kad kāds piesaka paveiktu darbu procesā, ko es administrēju
preference-claim-decided = Kad izlemts par manu pieteikto darbu
preference-task-startable = Kad manas komandas uzdevumu var sākt
preference-process-finished = Kad pabeigts process, kurā piedalos
preference-story-published = Kad publicēts stāsts par procesu, kurā piedalos
preference-webhook-disabled = Kad manis pārvaldītas organizācijas tīmekļa āķis tiek atspējots kļūmju dēļ
preference-contribution-requested = Kad man vai manai komandai lūdz sniegt ieguldījumu uzdevumā
unsubscribe-title = Pārtraukt e-pastus
unsubscribe-lead = Pārtraukt e-pastus, uz kuriem attiecas šī saite? Visus paziņojumus joprojām redzēsiet iesūtnē.
unsubscribe-button = Pārtraukt šos e-pastus
unsubscribe-preferences = Mainīt paziņojumu iestatījumus
unsubscribed-kind = Gatavs. Jūs vairs nesaņemsiet šāda veida e-pastus: { $kind }.
unsubscribed-all = Gatavs. Jūs vairs nesaņemsiet paziņojumu e-pastus.
unsubscribe-invalid-title = Šī saite nedarbojas
unsubscribe-invalid-text = Atteikšanās saite nav pilnīga vai to nav sūtījusi šī platforma. Piesakieties, lai mainītu paziņojumu iestatījumus.
your-notifications-download = Lejupielādēt manus paziņojumus un to iestatījumus (JSON)
# Organisations' webhooks
organization-webhooks = Tīmekļa āķi
webhooks-title = Tīmekļa āķi
webhooks-lead = Tīmekļa āķi uzreiz paziņo jūsu organizācijas citām sistēmām par tās notikumiem: katrs jūsu izvēlēto veidu notikums tiek parakstīts un nosūtīts uz jūsu norādīto adresi.
webhooks-none = Šai organizācijai vēl nav tīmekļa āķu.
webhooks-caption = Organizācijas tīmekļa āķi
webhooks-back = Atpakaļ uz tīmekļa āķiem
webhook-organization-default = Organizācija
webhook-title = Tīmekļa āķis
webhook-url = Adrese
webhook-url-hint = Kur tiek sūtīti notikumi: jūsu saņēmēja https:// adrese.
webhook-url-invalid = Ierakstiet sava saņēmēja adresi kā https:// saiti uz serveri internetā
webhook-description = Apraksts
webhook-description-optional = Apraksts (nav obligāts)
webhook-description-hint = Kam tas paredzēts, vienā rindā līdz 500 rakstzīmēm.
webhook-description-invalid = Ierakstiet aprakstu vienā rindā līdz 500 rakstzīmēm
webhook-events = Notikumi
webhook-events-legend = Sūtāmie notikumi
webhook-events-hint = Izvēlieties vismaz vienu.
webhook-events-invalid = Izvēlieties vismaz vienu no uzskaitītajiem notikumiem
webhook-event-count = { $count ->
    [0] nav notikumu
    [zero] { $shown } notikumu
    [one] { $shown } notikums
   *[other] { $shown } notikumi
}
webhook-group-organization = Organizācija
webhook-group-team = Komandas
webhook-group-team-application = Lūgumi pievienoties komandām
webhook-group-invitation = Ielūgumi komandās
webhook-group-process = Procesi
webhook-group-item = Posmi, mērķi un uzdevumi
webhook-group-task = Uzdevumu gaita
webhook-group-grant = Komandu tiesības procesos
webhook-group-asset = Resursi
webhook-group-claim = Pieteiktie ieguldījumi
webhook-group-story = Stāsti
webhook-state = Stāvoklis
webhook-enabled = Iespējots
webhook-disabled = Atspējots
webhook-disabled-by-platform = to atspējoja platforma
webhook-failing-since = Kļūmes kopš (UTC)
webhook-not-failing = Nav kļūmju
webhook-created = Pievienots (UTC)
webhook-new = Pievienot tīmekļa āķi
webhook-create = Pievienot tīmekļa āķi
webhook-created-title = Tīmekļa āķis ir pievienots
webhook-rotated-title = Tīmekļa āķim ir jauns parakstīšanas noslēpums
webhook-secret-once = Nokopējiet parakstīšanas noslēpumu tagad un glabājiet to drošībā: tas vairs netiks parādīts.
webhook-secret-label = Parakstīšanas noslēpums
webhook-secret-hint = Ar to jūsu saņēmējs pārbauda katra pieprasījuma parakstu, lai zinātu, ka pieprasījums nāk no šīs platformas.
webhook-previous-until = Iepriekšējais noslēpums arī paraksta līdz (UTC)
webhook-previous-text = Līdz tam katram pieprasījumam ir paraksti gan ar jauno, gan ar iepriekšējo noslēpumu, lai jūsu saņēmējs varētu pāriet uz jauno, nevienu nezaudējot.
webhook-open = Atvērt tīmekļa āķi
webhook-edit = Mainīt tīmekļa āķi
webhook-enable = Iespējot tīmekļa āķi
webhook-enable-hint = Kad tas ir iespējots, notikumi tam atkal tiek sūtīti.
webhook-enabled-done = Tīmekļa āķis ir iespējots: notikumi tam atkal tiek sūtīti.
webhook-disable = Atspējot tīmekļa āķi
webhook-disable-hint = Kamēr tas ir atspējots, tam netiek sūtīts neviens notikums.
webhook-disabled-done = Tīmekļa āķis ir atspējots: tam netiek sūtīts neviens notikums, līdz jūs to iespējosiet.
webhook-secret-title = Parakstīšanas noslēpums
webhook-rotate-hint = Jaunais noslēpums tiek parādīts tikai vienreiz. Vienu dienu pieprasījumi tiek parakstīti gan ar jauno, gan ar iepriekšējo, lai jūsu saņēmējs varētu pāriet, nevienu nezaudējot.
webhook-rotate = Izveidot jaunu parakstīšanas noslēpumu
webhook-delete = Dzēst tīmekļa āķi
webhook-delete-title = Dzēst tīmekļa āķi uz { $url }?
webhook-delete-text = Tam vairs netiks sūtīti notikumi, un tiks dzēstas arī tā piegādes un to žurnāls. To nevar atsaukt.
webhook-delete-button = Dzēst
webhook-deleted = Tīmekļa āķis ir dzēsts.
webhook-deliveries = Piegādes
webhook-deliveries-caption = Tīmekļa āķa piegādes, jaunākās vispirms
webhook-deliveries-none = Nav piegāžu, ko parādīt.
delivery-title = Piegāde
delivery-filter-state = Stāvoklis
delivery-state-any = Jebkurš stāvoklis
delivery-state-pending = Gaida: tiks mēģināts vēlreiz
delivery-state-delivered = Piegādāta
delivery-state-failed = Neizdevās
delivery-state = Stāvoklis
delivery-event = Notikums
delivery-event-id = Notikuma identifikators (webhook-id)
delivery-attempts = Mēģinājumi
delivery-response = Pēdējā atbilde (HTTP statuss)
delivery-no-response = Nav
delivery-latency = Patērētais laiks
delivery-latency-ms = { $ms } ms
delivery-error = Kļūda
delivery-times = Laiki (UTC)
delivery-created = Izveidota
delivery-delivered = Piegādāta
delivery-next-attempt = Nākamais mēģinājums
delivery-created-utc = Izveidota (UTC)
delivery-delivered-utc = Piegādāta (UTC)
delivery-next-attempt-utc = Nākamais mēģinājums (UTC)
delivery-older = Vecākas piegādes
delivery-replay = Sūtīt vēlreiz
delivery-replayed = Piegāde tiek sūtīta vēlreiz.
delivery-replay-disabled = Iespējojiet tīmekļa āķi, lai tā piegādes sūtītu vēlreiz.
delivery-attempt-log = Mēģinājumi
delivery-attempt-time = Laiks (UTC)
delivery-attempt-response = Atbilde (HTTP statuss)
delivery-attempts-none = Vēl nav mēģināts.
delivery-body = Nosūtītais saturs (JSON)
