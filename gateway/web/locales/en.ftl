skip-to-content = Skip to main content
nav-label = Main menu
nav-home = Home
nav-catalogue = Catalogue
languages-label = Language
home-title = Co-produce public services together
home-lead = Public administrations, organisations and citizens design and run public services together here, with a catalogue of tools and guides that worked elsewhere.
home-catalogue-title = The catalogue
home-catalogue-text = Find tools, guides and methods — interlinkers — for each step of a co-production process.
home-catalogue-link = Browse the catalogue
catalogue-title = Catalogue
catalogue-lead = Tools, guides and methods for co-producing public services.
search-label = Search the catalogue
search-button = Search
results-count = { $count ->
    [0] No interlinkers found
    [one] { $shown } interlinker found
   *[other] { $shown } interlinkers found
}
results-hint = Try other words, or clear the search to see everything.
next-page = Next page
nature-software = Software
nature-knowledge = Knowledge
nature-external-software = External software
nature-external-knowledge = External knowledge
in-language = in { $language }
not-found-title = Page not found
not-found-text = There is no page at this address. Check it, or start again from the home page.
unavailable-title = Sorry, this page is not available now
unavailable-text = A part of the platform did not answer. Try again in a few minutes.
bad-request-title = The request could not be read
footer-text = { $site } runs Interlink, free software for the co-production of public services.
bad-request-text = What was sent is not a form this page can read. Go back and try again.
sign-in = Sign in
sign-out = Sign out
signed-in-as = Signed in as { $name }
account-label = Your account
session-ended = Your session has ended. Sign in again to go on.
sign-in-title = Sign in
dev-sign-in-lead = This is a trial deployment: sign in as anyone by typing a user id. A public administration's deployment signs people in with its own accounts instead.
sign-in-subject = User id
sign-in-subject-hint = Up to 64 letters, digits and . _ @ - (the same person as “interlink token --sub”).
sign-in-name = Your name (optional)
sign-in-name-hint = As others will see it. Left empty, your user id is shown.
sign-in-admin = Sign in as a platform administrator
sign-in-button = Sign in
sign-in-subject-missing = Enter a user id
sign-in-subject-invalid = Use up to 64 letters, digits and . _ @ - in the user id
sign-in-name-invalid = Use up to 100 characters on one line for your name
error-summary-title = There is a problem
error-prefix = Error
form-refused-title = This form could not be accepted
form-refused-text = It came from another site, or its page was open so long that the session ended. Go back, reload the page and try again.
breadcrumb-label = You are here
section-description = What it is
section-instructions = How to use it
section-constraints = Constraints and limitations
section-regulations = Regulations and standards
facts-languages = Languages
facts-problem-profiles = Problem profiles
open-external = Open it on its own site
genesis-title = Templates
genesis-text = The starting document, in each language it is written in:
state-draft = This interlinker is a draft: only the catalogue's editors see it.
state-deprecated = This interlinker is deprecated: it stays for the processes that use it, but should not be chosen for new ones.
rating-summary = { $count ->
    [0] Not rated yet
    [one] Rated { $average } out of 5 by one person
   *[other] Rated { $average } out of 5 by { $shown } people
}
rating-stars = { $value ->
    [one] 1 star out of 5
   *[other] { $value } stars out of 5
}
ratings-title = Ratings
no-ratings = Nobody has rated this interlinker yet.
someone = Someone
rate-heading = Rate this interlinker
rate-replaces = You rated it before: saving replaces your rating.
rate-value = Your rating
rate-title-label = Title (optional)
rate-title-hint = Up to 200 characters, on one line.
rate-text-label = Your review (optional)
rate-text-hint = Up to 5,000 characters: what worked, and for what.
rate-button = Save my rating
rate-sign-in = Sign in to rate this interlinker
rate-saved = Thank you: your rating is saved.
rate-value-invalid = Choose from 1 to 5 stars
rate-title-invalid = Use up to 200 characters on one line for the title
rate-text-invalid = Use up to 5,000 characters for the review
rate-unpublished-title = Only published interlinkers can be rated
rate-unpublished-text = This interlinker is a draft or deprecated, so it takes no ratings now.
sign-in-needed-title = Please sign in again
sign-in-needed-text = Your session ended before the form was sent. Sign in, then send it again.
related-title = Related interlinkers
nav-organizations = Organisations
forbidden-title = You may not do this
forbidden-text = Your account does not have the right to do this here. Ask an administrator of the organisation or team if you should.
conflict-title = This could not be done now
conflict-text = It clashes with how things stand now: { $reason }
too-many-title = Too many requests
too-many-text = The platform is busy or received too many requests from you. Wait a minute, then try again.
sign-in-first-text = Sign in first, then open this page again.
cancel = Cancel
save-changes = Save changes
changes-saved = Your changes are saved.
edit-in-language = You are editing the texts in this page's language; those in other languages stay as they are.
description-label = Description (optional)
description-hint = Up to 5,000 characters.
description-invalid = Use up to 5,000 characters for the description
logo-label = Logo address (optional)
logo-hint = An address starting with https://
logo-invalid = Enter the logo's address as an https:// link
administrator = administrator
you = you
organizations-title = Organisations
organizations-lead = Public administrations, companies and associations taking part, each with its teams.
organizations-none = There are no organisations you can see yet.
organization-new = Create an organisation
organization-sign-in = Sign in to create an organisation
organization-created = The organisation is created, and you are its administrator.
organization-deleted = The organisation is deleted.
organization-name = Name
organization-name-hint = As people will see it, up to 200 characters.
organization-name-invalid = Enter a name of up to 200 characters
organization-public = Anyone may see this organisation (untick: its members only)
default-team-type = Its teams are, unless they say otherwise
team-creation-policy = Who may create its teams
team-type-citizen = Citizens
team-type-public-administration = Public administration
team-type-nonprofit = Non-profit organisation
team-type-forprofit = Company
team-type-unspecified = Not said
team-type-invalid = Choose what kind of people the team brings
policy-administrators = Only its administrators
policy-members = Its administrators and the members of its teams
policy-anyone = Anyone signed in
policy-invalid = Choose who may create teams
organization-create = Create the organisation
organization-edit = Edit the organisation
organization-edit-title = Edit { $name }
organization-delete = Delete the organisation
organization-delete-title = Delete { $name }?
organization-delete-text = { $teams ->
    [0] { $name } will be deleted. This cannot be undone.
    [one] { $name } and its team will be deleted, with the team's memberships. This cannot be undone.
   *[other] { $name } and its { $teams } teams will be deleted, with their memberships. This cannot be undone.
}
organization-delete-button = Delete it
facts-visibility = Who sees it
members-only = Its members only
visible-to-all = Everyone
facts-team-type = Its teams are
facts-team-creation = Who creates teams
facts-administrators = Administrators
teams-title = Teams
teams-none = It has no teams yet.
member-count = { $count ->
    [0] no members
    [one] one member
   *[other] { $shown } members
}
team-new = Create a team
team-name = Team name
team-name-invalid = Enter a team name of up to 200 characters
team-type-label = Its members are
team-create = Create the team
team-created = The team is created, and you are its administrator.
team-edit = Edit the team
team-edit-title = Edit { $name }
team-delete = Delete the team
team-delete-title = Delete { $name }?
team-delete-text = { $members ->
    [one] { $name } and its membership will be deleted. This cannot be undone.
   *[other] { $name } and its { $members } memberships will be deleted. This cannot be undone.
}
team-delete-button = Delete it
members-title = Members
member-remove = Remove { $name }
member-removed = The member is removed from the team.
team-leave = Leave this team
team-left = You left the team.
team-joined = Welcome: you are a member of this team now.
join-title = Join this team
join-sign-in = Sign in to ask to join this team
reason-label = Why you want to join (optional)
reason-hint = The team's administrators read this. Up to 2,000 characters.
reason-invalid = Use up to 2,000 characters for your reason
apply-button = Ask to join
application-sent = Your request is sent to the team's administrators.
application-waiting = Your request to join is waiting for the team's administrators.
application-withdraw = Withdraw my request
application-withdrawn = Your request is withdrawn.
application-decided = The request is decided.
applications-title = Requests to join
applications-none = Nobody has asked to join.
application-accept = Accept { $name }
application-reject = Refuse { $name }
application-pending = waiting
application-accepted = accepted
application-rejected = refused
application-withdrawn-state = withdrawn
invitations-title = Invitations
invite-email = E-mail address
invite-email-hint = Whom to invite. You send them the link yourself.
email-invalid = Enter an e-mail address such as name@example.org
invite-administrator = Invite as an administrator of the team
invite-button = Make an invitation link
invitation-state = State
invitation-expires = Valid until
invitation-pending = waiting
invitation-accepted = accepted
invitation-revoked-state = withdrawn
invitation-expired = expired
invitation-revoke = Withdraw the invitation of { $email }
invitation-revoked = The invitation is withdrawn.
invitation-made-title = Invitation made
invitation-made-text = Send this link to { $email }. Whoever opens it and signs in joins the team.
invitation-link = Link to send
invitation-code = Invitation code
invitation-code-hint = For someone whose browser does not open the link: they paste this code on the invitation page.
invitation-valid-until = It works until
invitation-shown-once = It is shown only now: copy it before you leave this page.
back-to-team = Back to the team
invitation-title = Accept an invitation
invitation-lead = You were invited to join a team. Check the code, then accept.
invitation-code-paste = The 43 letters, digits, - and _ at the end of your invitation link, after #.
invitation-accept = Join the team
invitation-sign-in-first = You were invited to join a team. Sign in first; then open your invitation link again.
invitation-code-invalid = Enter the code as it is in the link: 43 letters, digits, - and _
invitation-code-unknown = No invitation has this code: check it against the link
invitation-code-used = This invitation can no longer be used: it was used, withdrawn or has expired
account-erased = Your account is erased. Thank you for taking part.
profile-title = Your profile
profile-user-id = User id
profile-email = E-mail from your sign-in
profile-email-none = none given
profile-role = Role
profile-platform-admin = Platform administrator
profile-name = Your name
profile-name-hint = As others see it, up to 200 characters on one line.
profile-name-invalid = Enter a name of up to 200 characters on one line
profile-language = Your language
profile-locale-invalid = Choose your language
language-other = Keep { $tag }
profile-emails = Further e-mail addresses (optional)
profile-emails-hint = One per line, up to 10, each once.
profile-emails-invalid = Enter up to 10 different e-mail addresses, one per line, such as name@example.org
terms-title = Terms of use
terms-text = To take part in co-production processes, accept the terms of use of this platform, as the administration running it publishes them.
terms-accept = I accept the terms of use
terms-accepted = You accepted the terms of use.
terms-accepted-on = You accepted the terms of use on
your-data-title = Your data
your-data-text = Download what the platform holds about you: your profile, the organisations you administer, your teams, requests to join and invitations.
your-data-download = Download my data (JSON)
erase-heading = Erase your account
erase-lead = Your name and addresses are removed for good; what you wrote stays, attributed to an erased user.
erase-link = Erase my account
erase-title = Erase your account?
erase-text = Your name and e-mail addresses will be removed, you will leave your teams, and you will be signed out. What you wrote stays, attributed to an erased user. This cannot be undone. If you are the last administrator of an organisation or team, appoint another first.
erase-button = Erase my account

# OpenID Connect sign-in
sign-in-unavailable-title = Signing in is not possible right now
sign-in-unavailable-text = The sign-in service does not answer. Please try again in a few minutes.
sign-in-expired-title = This sign-in has expired or was already used
sign-in-expired-text = The sign-in took too long, or its page was opened twice. Start again with the sign-in link.
sign-in-refused-title = This sign-in was refused
sign-in-refused-text = The answer from the sign-in service does not belong to the sign-in this browser began. Start again with the sign-in link.
sign-in-cancelled-title = You did not sign in
sign-in-cancelled-text = The sign-in service says the sign-in was cancelled or not allowed. You can start again with the sign-in link.
sign-in-failed-title = Signing in did not work
sign-in-failed-text = The sign-in service's answer could not be checked. Please start again with the sign-in link; if it keeps failing, tell the platform's administrators.

# Catalogue filters and problem profiles
problem-profiles-link = Or start from the problem you face.
problem-profiles-title = Problems and the interlinkers for them
problem-profiles-lead = Each problem a co-production process may meet, grouped by the stage it belongs to. Open one to see the interlinkers that address it.
problem-profiles-families = Stages
filters-title = Filters
filter-nature = Kind
filter-rating = Rating
filter-language = Available in
filter-profiles = Problems addressed
filters-apply = Apply filters
filters-clear = Clear filters
rating-any = Any rating
rating-at-least = { $stars ->
    [one] { $stars } star or more
   *[other] { $stars } stars or more
}
results-hint-filtered = Try fewer filters, or other words.
family-organisational = Organising the process
family-understanding = Understanding the problem
family-definition = Defining the service
family-building = Building the service
family-validation = Validating the service
family-sustainability = Keeping it going
family-hackathon = Hackathons
family-other = Other

# Co-production schemas
schemas-title = Co-production schemas
schemas-lead = A schema is the plan a co-production process follows: its phases, each phase's objectives and each objective's tasks. Processes start from one of these.
schemas-none = No schema has been published yet.
schemas-link = See how a co-production process goes: the schemas.
schema-version = Version { $version }
schema-version-published = Version { $version }, published { $date }
schema-counts = { $phases ->
    [one] { $phases } phase
   *[other] { $phases } phases
}, { $objectives ->
    [one] { $objectives } objective
   *[other] { $objectives } objectives
}, { $tasks ->
    [one] { $tasks } task
   *[other] { $tasks } tasks
}
schema-older = This is an earlier version of the schema.
schema-see-latest = See the newest version.
schema-version-label = Version
schema-version-show = Show this version
schema-phases = Phases
schema-phase = Phase
schema-objective = Objective
schema-task = Task
schema-co-delivery = Part of co-delivery: the service is delivered together in this phase.
schema-after = After:
schema-problems = Problems it meets:

# Public processes and stories
nav-processes = Processes
nav-stories = Stories
processes-title = Co-production processes
processes-lead = Public services being designed and delivered together by public administrations, organisations and citizens. Anyone may follow the public ones.
processes-found = Processes
processes-none = No public process yet.
processes-none-filtered = No public process matches these filters.
filter-status = Status
filter-organization = Organisation
status-any = Any status
organization-any = Any organisation
status-awaiting = Not started
status-in-progress = In progress
status-finished = Finished
progress-done = { $percent } % done
period-from-to = From { $start } to { $end }
period-from = From { $start }
period-until = Until { $end }
process-description = What it is about
process-aim = Its aim
process-idea = The idea
process-organization = Who runs it
process-challenges = Challenges
process-requirements = Requirements
process-plan = The plan
process-plan-none = The plan has not been drawn up yet.
process-stories = Its stories
process-stories-none = No story has been told of this process yet.
stories-title = Success stories
stories-lead = What co-production processes achieved and learnt, told by those who ran them.
stories-none = No story has been published yet.
published-on = Published { $date }
story-by = By { $name }
story-process = From the process
story-description = The story
story-results = Results
story-lessons = Lessons learnt
story-period = When
story-licences = Licences
story-keywords = Keywords
home-processes-title = Processes under way
home-processes-link = All public processes
home-stories-title = Stories
home-stories-link = All stories
home-highlights-title = From the catalogue

# Organisation administrators
organization-admin-add = Make { $name } an administrator of the organisation
organization-admin-remove = Remove { $name } as administrator
organization-admin-step-down = Stop being an administrator
organization-admin-hint = To add an administrator, open one of the organisation's teams and choose a member there. An organisation always keeps at least one administrator.
organization-admin-added = The new administrator is added.
organization-admin-removed = The administrator is removed.

# The workspace
nav-workspace = My processes
workspace-title = My processes
workspace-lead = The co-production processes you run or take part in through a team.
workspace-processes = Processes
workspace-none = You do not run or take part in any process yet. Create one, or ask to join a team that takes part in one.
process-new = New process
process-create = Create the process
process-title-label = Title
process-title-hint = Up to 200 characters on one line.
process-title-invalid = Enter a title of up to 200 characters on one line
process-organization-label = Organisation
process-organization-hint = The process belongs to this organisation; you must be one of its members or administrators.
process-organization-invalid = Choose an organisation you belong to
process-language-label = Language
process-language-hint = The language the process is run in.
process-language-invalid = Choose the language the process is run in
process-description-hint = What the process is about, for those who will take part.
process-description-invalid = Write a description of up to 10,000 characters
process-public = Anyone may follow this process
process-no-organization = A process belongs to an organisation, and you can see none yet.
process-created = The process is created: you administer it.
process-deleted = The process is deleted.

workspace-none-filtered = None of your processes matches these filters.

# Planning and working on a process
process-planned = The plan is drawn up from the schema.
task-status-saved = The task's status is saved.
process-plan-choose = Plan it from a schema
process-plan-preview = see it
process-plan-build = Draw up the plan
task-status-label = Status of { $task }
task-status-save = Change
task-blocked-title = This task cannot start yet
task-blocked-text = “{ $task }” waits for these, which come first and are not finished:
task-blocked-back = Back to the process

# A process's settings
process-settings = Settings
process-settings-title = Settings of { $name }
process-aim-label = Its aim (optional)
process-idea-label = The idea (optional)
process-text-invalid = Write up to 10,000 characters
process-more = Export and delete
process-export = Download the whole process (JSON)
process-delete = Delete the process
process-delete-title = Delete { $name }?
process-delete-text = Its plan, resources, contributions and stories are deleted with it, for everyone. This cannot be undone; download it first to keep a copy.
process-delete-button = Delete the process

# Telling and rating stories
story-new = Tell its story
story-new-lead = What the process achieved and learnt, for others who will run one like it. Anyone who may see the process may read it.
story-title-label = Title
story-title-invalid = Enter a title of up to 200 characters on one line
story-words-hint = Separated by commas.
story-words-invalid = Give up to 30, each of up to 60 characters, separated by commas
story-publish = Publish the story
story-published = The story is published.
story-rate = Your rating of this story
story-rate-button = Save my rating
story-rated = Thank you: your rating is saved.

# The guide
process-tabs-label = Parts of the process
process-tab-overview = Overview
process-tab-guide = Guide
guide-empty = The process has no plan yet: plan it from a schema on its overview.
guide-phases = Phases
guide-tree = Objectives and tasks of the phase
item-kind-phase = Phase
item-kind-objective = Objective
item-kind-task = Task
item-add-phase = Add a phase
item-add-objective = Add an objective
item-add-task = Add a task
item-title = Title
item-description = Description
item-start = Start date
item-end = End date
item-problems = Problems it addresses
item-problems-hint = Problem profile codes, separated by commas.
item-save = Save
item-edit = Edit
item-status = Status
item-prerequisites = Comes after
item-prerequisites-edit = Choose what comes before
item-prerequisites-legend = This item starts once these are finished
item-prerequisites-cycle = These would go round in a loop, each waiting for the next:
item-prerequisites-invalid = Choose items beside this one, each once
item-disabled-mark = disabled
item-is-disabled = This item is disabled: it is kept, but no longer counts towards progress.
item-copy = Copy it with everything under it
item-disable = Disable it
item-disable-title = Disable { $name }?
item-disable-text = It and everything under it stop counting towards progress and take no more changes. They are kept, with who disabled them and when.
item-title-invalid = Write a title of up to 200 characters
item-date-invalid = Give a real date (year, month, day)
item-end-invalid = The end must not be before the start
item-problems-invalid = Give known problem profile codes (lower case letters, digits and hyphens), each once
item-added = The item is added.
item-copied = This is the copy.
item-disabled = The item is disabled.
item-resources = Resources
item-resources-none = No resources yet.
asset-added-by = Added by { $name }
asset-recommended = Recommended for the problems of this task
asset-use = Use { $name }
asset-from-catalogue = From the catalogue
asset-search-label = Search the catalogue for a resource
asset-search-none = Nothing in the catalogue matches.
asset-link = Add a link to a resource elsewhere
asset-link-name = Name
asset-link-uri = Address
asset-link-uri-hint = Starting with https://
asset-link-add = Add the link
asset-link-name-invalid = Write a name of up to 200 characters
asset-link-uri-invalid = Give an address starting with https:// or http://
asset-added = The resource is added.
asset-delete = Delete { $name }
asset-delete-text = The resource leaves the task for everyone. It cannot be undone.
asset-delete-button = Delete the resource
asset-deleted = The resource is deleted.
asset-preparing = Being prepared on its interlinker…
asset-prepare-failed = Could not be made on its interlinker: { $reason }
asset-retry = Try making { $name } again
asset-retried = The resource is being prepared again.
asset-open = Open { $name }
item-permissions = Permissions
may-lead = Here you may:
may-nothing = You may only read here.
may-administer = administer the process
may-edit-tree = change the plan
may-set-status = change task statuses
may-access-assets = open its resources
may-create-assets = add resources
may-delete-assets = delete resources
item-grants = Teams with rights here
grant-access-assets = open resources
grant-create-assets = add resources
grant-delete-assets = delete resources
grant-on-process = on the whole process
a-team = A team
item-contributions = Contributions
claims-none = No contributions claimed yet.
claim-new = Claim a contribution
claim-kind = Kind of work
claim-kind-management = Management
claim-kind-development = Development
claim-kind-exploitation = Exploitation
claim-description = What you did
claim-description-invalid = Write up to 2,000 characters
claim-make = Claim it
claim-made = Your claim is sent to the process administrators.
claim-pending = waiting for a decision
claim-accepted = accepted
claim-rejected = rejected
claim-accept = Accept
claim-reject = Reject
claim-decided = The decision is saved.

# A process's team
process-tab-team = Team
process-administrators = Process administrators
process-administrator-remove = Remove { $name } as administrator
process-administrator-candidates = Members of the teams taking part
process-administrator-add = Make { $name } an administrator
grants-title = Teams and their rights
grants-none = No team has rights in this process yet.
grant-team = Team
grant-item = Where
grant-rights = Rights
grant-revoke = Revoke
grant-revoke-team = Revoke the rights of { $name }
grant-new = Give a team rights
grant-no-teams = The organisation has no teams yet.
grant-make = Give these rights
grant-made = The team has its rights.
grant-revoked = The rights are revoked.
grant-team-invalid = Choose a team
grant-item-invalid = Choose the process or one of its items
grant-rights-invalid = Choose at least one right

# The work plan
process-tab-workplan = Work plan
workplan-zoom = Scale
workplan-zoom-day = Days
workplan-zoom-week = Weeks
workplan-zoom-month = Months
workplan-download = Download the chart (SVG)
workplan-lead = Each bar runs from an item's start to its end, filled as far as it has progressed. Each name leads to the item in the guide.
workplan-arrows = Arrows lead from what comes first to what waits for it.
workplan-no-dates = No task has dates yet: give tasks their start and end dates in the guide.

# A process's resources
process-tab-resources = Resources
filter-any = Any
resources-interlinker = Interlinker
resources-nature = Kind
resources-creator = Added by
resources-added = Added on
resources-count = { $count ->
    [one] One resource
   *[other] { $count } resources
}
resources-none = The process has no resources yet: add them to its tasks in the guide.
resources-none-filtered = No resource matches these filters.
asset-link-nature = Link

# A process's monitoring
process-tab-monitoring = Monitoring
monitoring-process = This process
monitoring-organization = Its organisation
monitoring-organization-lead = The adoption figures of the whole organisation, kept live as things happen. The bars show each day's net change over the last 30 days.
monitoring-series = Change over the last 30 days: { $change }
monitoring-trail = What happened in this process
kpi-process-assets = Resources
kpi-active-7 = Active people, last 7 days
kpi-active-30 = Active people, last 30 days
kpi-processes = Processes
kpi-assets = Resources
kpi-claims = Contributions claimed
kpi-claims-accepted = Contributions accepted
kpi-stories = Stories published
kpi-teams = Teams
kpi-participants = People in teams
kpi-interlinkers-used = Interlinkers used
kpi-cloned-processes = Processes cloned
kpi-co-delivered-processes = Processes delivered together
trail-valid = The trail is intact: { $entries } entries checked, none altered.
trail-broken = The trail is broken at entry { $sequence }: { $reason }
trail-filter-model = What changed
trail-none = Nothing has happened here yet.
trail-when = When (UTC)
trail-who = Who
trail-what = What
trail-the-platform = The platform
trail-model-process = Process
trail-model-item = Plan item
trail-model-task = Task
trail-model-grant = Rights
trail-model-asset = Resource
trail-model-claim = Contribution
trail-model-story = Story
trail-action-created = created
trail-action-updated = changed
trail-action-deleted = deleted
trail-action-schema-set = planned from a schema
trail-action-schema-cleared = plan cleared
trail-action-cloned = cloned
trail-action-imported = imported
trail-action-added = added
trail-action-removed = removed
trail-action-copied = copied
trail-action-disabled = disabled
trail-action-status-changed = status changed
trail-action-submitted = claimed
trail-action-decided = decided
trail-action-published = published
trail-action-rated = rated

# A process's overview: set-up steps and activity
wizard-title = Setting up the process
wizard-data = Describe the process and choose its administrators
wizard-schema = Plan it from a schema
wizard-teams = Bring in teams
wizard-permissions = Let teams work on it
wizard-resources = Add resources to tasks
wizard-ready = Start the first task
wizard-done = done
wizard-pending = to do
process-activity = Latest activity
process-activity-all = All activity

# Importing, cloning and clearing processes
import-title = Import a process
import-lead = Make a new process from a file downloaded from a process's settings, here or on another Interlink.
import-file = The process file (JSON)
import-file-hint = A file of the interlink.process/1 format, up to 2 MB.
import-button = Import it
import-file-missing = Choose the file to import
import-file-unreadable = The file could not be read as text
import-objections = The file was not imported. Each place in it that needs mending:
import-too-large-title = The file is too large
import-too-large-text = A process file may be up to 2 MB.
process-imported = The process is imported.
process-clone = Clone it
process-clone-title = Title of the new process
process-clone-hint = Left empty, it is this title followed by "(copy)".
process-clone-grants = Give the teams the same rights in the new process
process-clone-button = Make a new process like this one
process-cloned = This is the new process, made like the one it was cloned from.
process-clear = Clear the plan
process-clear-title = Clear the plan of { $name }?
process-clear-text = Its phases, objectives and tasks go, with their resources and contributions, so it can be planned again. It cannot be undone; download the process first to keep a copy.
process-clear-button = Clear the plan
process-cleared = The plan is cleared: plan the process again from a schema.
story-clone = Do it again
story-clone-lead = Start a new process in the same organisation, planned like the one this story tells of.
story-clone-button = Start a process like this one

# Searching and sorting process lists
filter-words = Words of the title
filter-tag = Tag
filter-sort = Order
sort-newest = Newest first
sort-oldest = Oldest first
sort-title = By title
sort-updated = Recently changed first
process-tags = Tags
process-tags-invalid = Give up to 50 tags of up to 60 characters each, separated by commas
asset-instantiate = Make one on its own page
instantiate-title = Make a resource on its interlinker
instantiate-lead = Fill in the interlinker’s page below. When it has made the resource, the resource is added to the task.
instantiate-noscript = This page needs JavaScript. Without it, use the resource's “Use” button: the platform makes it for you.
instantiate-frame = The interlinker’s page
nav-notifications = Notifications
bell-unseen = { $count ->
    [one] , { $count } unseen
   *[other] , { $count } unseen
}
notifications-title = Notifications
notifications-archive-title = Archived notifications
notifications-views = Notifications to show
notifications-inbox = Inbox
notifications-archived = Archived
notifications-unseen-count = { $count ->
    [one] You have { $count } unseen notification.
   *[other] You have { $count } unseen notifications.
}
notifications-mark-all = Mark all as seen
notifications-mark-seen = Mark as seen
notifications-archive = Archive
notifications-new = New
notifications-none = Nothing to tell you yet. You will hear here when something concerns you: a team, a task, an application or a process.
notifications-none-archived = You have archived no notifications.
notifications-older = Older notifications
notifications-all-seen = All your notifications are marked as seen.
notifications-archived-done = The notification is archived.
preferences-title = Notification preferences
preferences-tab = Preferences
preferences-lead = Everything shows in your inbox. Choose which notifications also reach you by e-mail, and when.
preferences-address = E-mails go to { $address }, the address of your sign-in account.
preferences-no-address = Your sign-in account has no e-mail address, so no e-mail is sent to you.
preferences-email-off = This platform sends no e-mail: your notifications stay in your inbox.
preferences-save = Save my preferences
preferences-immediate = By e-mail at once
preferences-daily = In a daily e-mail summary
preferences-never = Only in my inbox
preference-team-member-added = When I am added to a team
preference-team-member-removed = When I am removed from a team
preference-team-granted = When a team of mine is given a process or a part of one
preference-application-submitted = When someone applies to join a team I administer
preference-application-decided = When my application to join a team is decided
preference-invitation = When I am invited to join a team
preference-claim-submitted = When someone claims work in a process I administer
preference-claim-decided = When my claim of work is decided
preference-task-startable = When a task of my team can start
preference-process-finished = When a process I take part in is finished
preference-story-published = When a story of a process I take part in is published
unsubscribe-title = Stop e-mails
unsubscribe-lead = Stop the e-mails this link is for? You will still see every notification in your inbox.
unsubscribe-button = Stop these e-mails
unsubscribe-preferences = Change your notification preferences
unsubscribed-kind = Done. You will get no more e-mails of this kind: { $kind }.
unsubscribed-all = Done. You will get no more notification e-mails.
unsubscribe-invalid-title = This link does not work
unsubscribe-invalid-text = The unsubscribe link is not complete or not one this platform sent. Sign in to change your notification preferences.
your-notifications-download = Download my notifications and their preferences (JSON)
