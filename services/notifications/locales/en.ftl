# The notifications' texts, one message per kind (its code). Arguments:
# $actor (who acted), $team, $process, $item (names, in the reader's
# language where they have one), $decision (accepted or rejected), $story.
someone = Someone
a-team = a team
a-process = a process
a-task = a task
team_member_added = { $actor } added you to the team { $team }.
team_member_removed = { $actor } removed you from the team { $team }.
team_granted = { $item ->
    [none] Your team { $team } was given the process { $process }.
   *[other] Your team { $team } was given “{ $item }” in { $process }.
}
application_submitted = { $actor } applied to join the team { $team }.
application_decided = { $decision ->
    [accepted] Your application to join the team { $team } was accepted.
   *[rejected] Your application to join the team { $team } was declined.
}
invitation = { $actor } invited you to join the team { $team }.
claim_submitted = { $item ->
    [none] { $actor } claimed work on a resource of { $process }.
   *[other] { $actor } claimed work on “{ $item }” in { $process }.
}
claim_decided = { $decision ->
    [accepted] Your claim of work in { $process } was approved.
   *[rejected] Your claim of work in { $process } was declined.
}
task_startable = “{ $item }” in { $process } can start: what it waits for is finished.
process_finished = The process { $process } is finished.
story_published = A story of { $process } was published: “{ $story }”.
webhook_disabled = The webhook to { $url } was disabled: its deliveries failed for a day. Fix the receiver, then enable it again.
contribution_requested = { $message ->
    [none] { $actor } asked you to contribute to “{ $item }” in { $process }.
   *[other] { $actor } asked you to contribute to “{ $item }” in { $process }: “{ $message }”
}
feed-team_granted = { $item ->
    [none] The team { $team } was given the process.
   *[other] The team { $team } was given “{ $item }”.
}
feed-claim_submitted = { $item ->
    [none] { $actor } claimed work on a resource.
   *[other] { $actor } claimed work on “{ $item }”.
}
feed-claim_decided = { $decision ->
    [accepted] A claim of work was approved.
   *[rejected] A claim of work was declined.
}
feed-contribution_requested = { $actor } asked for contributions to “{ $item }”.
feed-task_startable = “{ $item }” can start: what it waits for is finished.
feed-process_finished = The process is finished.
feed-story_published = A story was published: “{ $story }”.
feed-task_status = { $status ->
    [in_progress] { $actor } started “{ $item }”.
   *[finished] { $actor } finished “{ $item }”.
}
mail-digest-subject = { $count ->
    [one] Your daily summary: { $count } notification
   *[other] Your daily summary: { $count } notifications
}
mail-digest-intro = { $count ->
    [one] Here is what concerned you since your last summary.
   *[other] Here are the { $count } things that concerned you since your last summary.
}
mail-open = Open
mail-why = You receive this e-mail because of your notification preferences.
mail-preferences = Change your notification preferences
mail-unsubscribe-kind = Stop e-mails of this kind
mail-unsubscribe-all = Stop these e-mails
