skip-to-content = Saltar al contenido principal
nav-label = Menú principal
nav-home = Inicio
nav-catalogue = Catálogo
languages-label = Idioma
home-title = Coproduzcamos juntos los servicios públicos
home-lead = Aquí administraciones públicas, organizaciones y ciudadanía diseñan y prestan juntos servicios públicos, con un catálogo de herramientas y guías que funcionaron en otros lugares.
home-catalogue-title = El catálogo
home-catalogue-text = Encuentra herramientas, guías y métodos —interlinkers— para cada paso de un proceso de coproducción.
home-catalogue-link = Explorar el catálogo
catalogue-title = Catálogo
catalogue-lead = Herramientas, guías y métodos para coproducir servicios públicos.
search-label = Buscar en el catálogo
search-button = Buscar
results-count = { $count ->
    [0] No se ha encontrado ningún interlinker
    [one] Se ha encontrado { $shown } interlinker
   *[other] Se han encontrado { $shown } interlinkers
}
results-hint = Prueba con otras palabras o borra la búsqueda para verlo todo.
next-page = Página siguiente
nature-software = Software
nature-knowledge = Conocimiento
nature-external-software = Software externo
nature-external-knowledge = Conocimiento externo
in-language = en { $language }
not-found-title = Página no encontrada
not-found-text = No hay ninguna página en esta dirección. Revísala o vuelve a empezar desde la página de inicio.
unavailable-title = Lo sentimos, esta página no está disponible ahora
unavailable-text = Una parte de la plataforma no ha respondido. Inténtalo de nuevo en unos minutos.
bad-request-title = No se ha podido leer la petición
footer-text = { $site } funciona con Interlink, software libre para la coproducción de servicios públicos.
bad-request-text = Lo enviado no es un formulario que esta página pueda leer. Vuelva atrás e inténtelo de nuevo.
sign-in = Iniciar sesión
sign-out = Cerrar sesión
signed-in-as = Sesión iniciada como { $name }
account-label = Su cuenta
session-ended = Su sesión ha terminado. Inicie sesión de nuevo para continuar.
sign-in-title = Iniciar sesión
dev-sign-in-lead = Esta es una instalación de prueba: inicie sesión como cualquier persona escribiendo un identificador de usuario. La instalación de una administración pública identifica a las personas con sus propias cuentas.
sign-in-subject = Identificador de usuario
sign-in-subject-hint = Hasta 64 letras, cifras y . _ @ - (la misma persona que «interlink token --sub»).
sign-in-name = Su nombre (opcional)
sign-in-name-hint = Tal como lo verán los demás. Si lo deja vacío, se mostrará su identificador.
sign-in-admin = Iniciar sesión como administrador de la plataforma
sign-in-button = Iniciar sesión
sign-in-subject-missing = Escriba un identificador de usuario
sign-in-subject-invalid = Use hasta 64 letras, cifras y . _ @ - en el identificador
sign-in-name-invalid = Use hasta 100 caracteres en una sola línea para su nombre
error-summary-title = Hay un problema
error-prefix = Error
form-refused-title = No se ha podido aceptar este formulario
form-refused-text = Llegó desde otro sitio, o su página estuvo abierta tanto tiempo que la sesión terminó. Vuelva atrás, recargue la página e inténtelo de nuevo.
breadcrumb-label = Está aquí
section-description = Qué es
section-instructions = Cómo usarlo
section-constraints = Restricciones y limitaciones
section-regulations = Normativa y estándares
facts-languages = Idiomas
facts-problem-profiles = Perfiles de problema
open-external = Abrirlo en su propio sitio
genesis-title = Plantillas
genesis-text = El documento de partida, en cada idioma en que está escrito:
state-draft = Este interlinker es un borrador: solo lo ven los editores del catálogo.
state-deprecated = Este interlinker está obsoleto: se mantiene para los procesos que lo usan, pero no debería elegirse para otros nuevos.
rating-summary = { $count ->
    [0] Aún sin valoraciones
    [one] Valorado con { $average } de 5 por una persona
   *[other] Valorado con { $average } de 5 por { $shown } personas
}
rating-stars = { $value ->
    [one] 1 estrella de 5
   *[other] { $value } estrellas de 5
}
ratings-title = Valoraciones
no-ratings = Nadie ha valorado aún este interlinker.
someone = Alguien
rate-heading = Valore este interlinker
rate-replaces = Ya lo valoró: al guardar se sustituye su valoración.
rate-value = Su valoración
rate-title-label = Título (opcional)
rate-title-hint = Hasta 200 caracteres, en una sola línea.
rate-text-label = Su opinión (opcional)
rate-text-hint = Hasta 5000 caracteres: qué funcionó y para qué.
rate-button = Guardar mi valoración
rate-sign-in = Inicie sesión para valorar este interlinker
rate-saved = Gracias: su valoración se ha guardado.
rate-value-invalid = Elija de 1 a 5 estrellas
rate-title-invalid = Use hasta 200 caracteres en una sola línea para el título
rate-text-invalid = Use hasta 5000 caracteres para la opinión
rate-unpublished-title = Solo se pueden valorar interlinkers publicados
rate-unpublished-text = Este interlinker es un borrador o está obsoleto, así que ahora no admite valoraciones.
sign-in-needed-title = Inicie sesión de nuevo
sign-in-needed-text = Su sesión terminó antes de enviar el formulario. Inicie sesión y vuelva a enviarlo.
related-title = Interlinkers relacionados
nav-organizations = Organizaciones
forbidden-title = No puede hacer esto
forbidden-text = Su cuenta no tiene permiso para hacer esto aquí. Pídalo a un administrador de la organización o del equipo si le corresponde.
conflict-title = No se ha podido hacer ahora
conflict-text = Choca con la situación actual: { $reason }
too-many-title = Demasiadas solicitudes
too-many-text = La plataforma está ocupada o ha recibido demasiadas solicitudes suyas. Espere un minuto y vuelva a intentarlo.
sign-in-first-text = Inicie sesión primero y vuelva a abrir esta página.
cancel = Cancelar
save-changes = Guardar los cambios
changes-saved = Sus cambios se han guardado.
edit-in-language = Está editando los textos en el idioma de esta página; los de otros idiomas no cambian.
description-label = Descripción (opcional)
description-hint = Hasta 5000 caracteres.
description-invalid = Use hasta 5000 caracteres para la descripción
logo-label = Dirección del logotipo (opcional)
logo-hint = Una dirección que empiece por https://
logo-invalid = Escriba la dirección del logotipo como un enlace https://
administrator = administrador
you = usted
organizations-title = Organizaciones
organizations-lead = Administraciones públicas, empresas y asociaciones que participan, cada una con sus equipos.
organizations-none = Todavía no hay organizaciones que pueda ver.
organization-new = Crear una organización
organization-sign-in = Inicie sesión para crear una organización
organization-created = La organización se ha creado y usted es su administrador.
organization-deleted = La organización se ha eliminado.
organization-name = Nombre
organization-name-hint = Tal como lo verá la gente, hasta 200 caracteres.
organization-name-invalid = Escriba un nombre de hasta 200 caracteres
organization-public = Cualquiera puede ver esta organización (sin marcar: solo sus miembros)
default-team-type = Sus equipos son, salvo que indiquen otra cosa
team-creation-policy = Quién puede crear sus equipos
team-type-citizen = Ciudadanía
team-type-public-administration = Administración pública
team-type-nonprofit = Organización sin ánimo de lucro
team-type-forprofit = Empresa
team-type-unspecified = Sin indicar
team-type-invalid = Elija qué tipo de personas reúne el equipo
policy-administrators = Solo sus administradores
policy-members = Sus administradores y los miembros de sus equipos
policy-anyone = Cualquier persona con sesión iniciada
policy-invalid = Elija quién puede crear equipos
organization-create = Crear la organización
organization-edit = Editar la organización
organization-edit-title = Editar { $name }
organization-delete = Eliminar la organización
organization-delete-title = ¿Eliminar { $name }?
organization-delete-text = { $teams ->
    [0] Se eliminará { $name }. No se puede deshacer.
    [one] Se eliminarán { $name } y su equipo, con sus miembros. No se puede deshacer.
   *[other] Se eliminarán { $name } y sus { $teams } equipos, con sus miembros. No se puede deshacer.
}
organization-delete-button = Eliminarla
facts-visibility = Quién la ve
members-only = Solo sus miembros
visible-to-all = Todo el mundo
facts-team-type = Sus equipos son
facts-team-creation = Quién crea equipos
facts-administrators = Administradores
teams-title = Equipos
teams-none = Todavía no tiene equipos.
member-count = { $count ->
    [0] sin miembros
    [one] un miembro
   *[other] { $shown } miembros
}
team-new = Crear un equipo
team-name = Nombre del equipo
team-name-invalid = Escriba un nombre de equipo de hasta 200 caracteres
team-type-label = Sus miembros son
team-create = Crear el equipo
team-created = El equipo se ha creado y usted es su administrador.
team-edit = Editar el equipo
team-edit-title = Editar { $name }
team-delete = Eliminar el equipo
team-delete-title = ¿Eliminar { $name }?
team-delete-text = { $members ->
    [one] Se eliminarán { $name } y su miembro. No se puede deshacer.
   *[other] Se eliminarán { $name } y sus { $members } miembros. No se puede deshacer.
}
team-delete-button = Eliminarlo
members-title = Miembros
member-remove = Quitar a { $name }
member-removed = El miembro se ha quitado del equipo.
team-leave = Dejar este equipo
team-left = Ha dejado el equipo.
team-joined = Bienvenida o bienvenido: ya es miembro de este equipo.
join-title = Unirse a este equipo
join-sign-in = Inicie sesión para pedir unirse a este equipo
reason-label = Por qué quiere unirse (opcional)
reason-hint = Lo leen los administradores del equipo. Hasta 2000 caracteres.
reason-invalid = Use hasta 2000 caracteres para el motivo
apply-button = Pedir unirme
application-sent = Su solicitud se ha enviado a los administradores del equipo.
application-waiting = Su solicitud para unirse espera a los administradores del equipo.
application-withdraw = Retirar mi solicitud
application-withdrawn = Su solicitud se ha retirado.
application-decided = La solicitud se ha resuelto.
applications-title = Solicitudes para unirse
applications-none = Nadie ha pedido unirse.
application-accept = Aceptar a { $name }
application-reject = Rechazar a { $name }
application-pending = en espera
application-accepted = aceptada
application-rejected = rechazada
application-withdrawn-state = retirada
invitations-title = Invitaciones
invite-email = Correo electrónico
invite-email-hint = A quién invitar. Usted mismo le envía el enlace.
email-invalid = Escriba un correo electrónico como nombre@ejemplo.org
invite-administrator = Invitar como administrador del equipo
invite-button = Crear un enlace de invitación
invitation-state = Estado
invitation-expires = Válida hasta
invitation-pending = en espera
invitation-accepted = aceptada
invitation-revoked-state = retirada
invitation-expired = caducada
invitation-revoke = Retirar la invitación de { $email }
invitation-revoked = La invitación se ha retirado.
invitation-made-title = Invitación creada
invitation-made-text = Envíe este enlace a { $email }. Quien lo abra e inicie sesión se une al equipo.
invitation-link = Enlace para enviar
invitation-code = Código de invitación
invitation-code-hint = Para quien no pueda abrir el enlace en su navegador: pega este código en la página de invitación.
invitation-valid-until = Funciona hasta el
invitation-shown-once = Solo se muestra ahora: cópielo antes de salir de esta página.
back-to-team = Volver al equipo
invitation-title = Aceptar una invitación
invitation-lead = Le han invitado a unirse a un equipo. Compruebe el código y acepte.
invitation-code-paste = Las 43 letras, cifras, - y _ del final de su enlace de invitación, tras #.
invitation-accept = Unirme al equipo
invitation-sign-in-first = Le han invitado a unirse a un equipo. Inicie sesión primero y vuelva a abrir su enlace de invitación.
invitation-code-invalid = Escriba el código tal como está en el enlace: 43 letras, cifras, - y _
invitation-code-unknown = Ninguna invitación tiene este código: compárelo con el enlace
invitation-code-used = Esta invitación ya no se puede usar: se usó, se retiró o ha caducado
account-erased = Su cuenta se ha borrado. Gracias por participar.
profile-title = Su perfil
profile-user-id = Identificador de usuario
profile-email = Correo de su inicio de sesión
profile-email-none = ninguno
profile-role = Función
profile-platform-admin = Administrador de la plataforma
profile-name = Su nombre
profile-name-hint = Tal como lo ven los demás, hasta 200 caracteres en una línea.
profile-name-invalid = Escriba un nombre de hasta 200 caracteres en una línea
profile-language = Su idioma
profile-locale-invalid = Elija su idioma
language-other = Mantener { $tag }
profile-emails = Otros correos electrónicos (opcional)
profile-emails-hint = Uno por línea, hasta 10, sin repetir.
profile-emails-invalid = Escriba hasta 10 correos distintos, uno por línea, como nombre@ejemplo.org
terms-title = Condiciones de uso
terms-text = Para participar en procesos de coproducción, acepte las condiciones de uso de esta plataforma, tal como las publica la administración que la gestiona.
terms-accept = Acepto las condiciones de uso
terms-accepted = Ha aceptado las condiciones de uso.
terms-accepted-on = Aceptó las condiciones de uso el
your-data-title = Sus datos
your-data-text = Descargue lo que la plataforma guarda sobre usted: su perfil, las organizaciones que administra, sus equipos, solicitudes para unirse e invitaciones.
your-data-download = Descargar mis datos (JSON)
erase-heading = Borrar su cuenta
erase-lead = Su nombre y sus direcciones se eliminan para siempre; lo que escribió se conserva, atribuido a un usuario borrado.
erase-link = Borrar mi cuenta
erase-title = ¿Borrar su cuenta?
erase-text = Se eliminarán su nombre y sus correos, dejará sus equipos y se cerrará su sesión. Lo que escribió se conserva, atribuido a un usuario borrado. No se puede deshacer. Si es el último administrador de una organización o un equipo, nombre antes a otro.
erase-button = Borrar mi cuenta

# Inicio de sesión con OpenID Connect
sign-in-unavailable-title = Ahora no es posible iniciar sesión
sign-in-unavailable-text = El servicio de inicio de sesión no responde. Inténtelo de nuevo dentro de unos minutos.
sign-in-expired-title = Este inicio de sesión ha caducado o ya se usó
sign-in-expired-text = El inicio de sesión tardó demasiado o su página se abrió dos veces. Empiece de nuevo con el enlace para iniciar sesión.
sign-in-refused-title = Se ha rechazado este inicio de sesión
sign-in-refused-text = La respuesta del servicio de inicio de sesión no corresponde al inicio de sesión que empezó este navegador. Empiece de nuevo con el enlace para iniciar sesión.
sign-in-cancelled-title = No ha iniciado sesión
sign-in-cancelled-text = El servicio de inicio de sesión indica que se canceló o no se permitió. Puede empezar de nuevo con el enlace para iniciar sesión.
sign-in-failed-title = No se pudo iniciar sesión
sign-in-failed-text = No se pudo comprobar la respuesta del servicio de inicio de sesión. Empiece de nuevo con el enlace para iniciar sesión; si sigue fallando, avise a la administración de la plataforma.

# Filtros del catálogo y perfiles de problema
problem-profiles-link = O empiece por el problema que tiene.
problem-profiles-title = Problemas y los interlinkers para ellos
problem-profiles-lead = Cada problema que puede encontrar un proceso de coproducción, agrupado por la etapa a la que pertenece. Abra uno para ver los interlinkers que lo abordan.
problem-profiles-families = Etapas
filters-title = Filtros
filter-nature = Tipo
filter-rating = Valoración
filter-language = Disponible en
filter-profiles = Problemas que aborda
filters-apply = Aplicar filtros
filters-clear = Quitar filtros
rating-any = Cualquier valoración
rating-at-least = { $stars ->
    [one] { $stars } estrella o más
   *[other] { $stars } estrellas o más
}
results-hint-filtered = Pruebe con menos filtros o con otras palabras.
family-organisational = Organizar el proceso
family-understanding = Comprender el problema
family-definition = Definir el servicio
family-building = Construir el servicio
family-validation = Validar el servicio
family-sustainability = Mantenerlo en el tiempo
family-hackathon = Hackatones
family-other = Otros

# Esquemas de coproducción
schemas-title = Esquemas de coproducción
schemas-lead = Un esquema es el plan que sigue un proceso de coproducción: sus fases, los objetivos de cada fase y las tareas de cada objetivo. Los procesos parten de uno de ellos.
schemas-none = Todavía no se ha publicado ningún esquema.
schemas-link = Vea cómo transcurre un proceso de coproducción: los esquemas.
schema-version = Versión { $version }
schema-version-published = Versión { $version }, publicada el { $date }
schema-counts = { $phases ->
    [one] { $phases } fase
   *[other] { $phases } fases
}, { $objectives ->
    [one] { $objectives } objetivo
   *[other] { $objectives } objetivos
}, { $tasks ->
    [one] { $tasks } tarea
   *[other] { $tasks } tareas
}
schema-older = Esta es una versión anterior del esquema.
schema-see-latest = Ver la versión más reciente.
schema-version-label = Versión
schema-version-show = Mostrar esta versión
schema-phases = Fases
schema-phase = Fase
schema-objective = Objetivo
schema-task = Tarea
schema-co-delivery = Parte de la coprestación: en esta fase el servicio se presta conjuntamente.
schema-after = Después de:
schema-problems = Problemas que aborda:

# Procesos públicos e historias
nav-processes = Procesos
nav-stories = Historias
processes-title = Procesos de coproducción
processes-lead = Servicios públicos que administraciones, organizaciones y ciudadanía diseñan y prestan juntos. Cualquiera puede seguir los públicos.
processes-found = Procesos
processes-none = Todavía no hay ningún proceso público.
processes-none-filtered = Ningún proceso público cumple estos filtros.
filter-status = Estado
filter-organization = Organización
status-any = Cualquier estado
organization-any = Cualquier organización
status-awaiting = Sin empezar
status-in-progress = En curso
status-finished = Terminado
progress-done = { $percent } % hecho
period-from-to = Del { $start } al { $end }
period-from = Desde el { $start }
period-until = Hasta el { $end }
process-description = De qué trata
process-aim = Su objetivo
process-idea = La idea
process-organization = Quién lo lleva
process-challenges = Retos
process-requirements = Requisitos
process-plan = El plan
process-plan-none = Todavía no se ha trazado el plan.
process-stories = Sus historias
process-stories-none = Todavía no se ha contado ninguna historia de este proceso.
stories-title = Historias de éxito
stories-lead = Lo que los procesos de coproducción lograron y aprendieron, contado por quienes los llevaron.
stories-none = Todavía no se ha publicado ninguna historia.
published-on = Publicada el { $date }
story-by = Por { $name }
story-process = Del proceso
story-description = La historia
story-results = Resultados
story-lessons = Lecciones aprendidas
story-period = Cuándo
story-licences = Licencias
story-keywords = Palabras clave
home-processes-title = Procesos en marcha
home-processes-link = Todos los procesos públicos
home-stories-title = Historias
home-stories-link = Todas las historias
home-highlights-title = Del catálogo

# Administradores de la organización
organization-admin-add = Hacer a { $name } administrador de la organización
organization-admin-remove = Quitar a { $name } como administrador
organization-admin-step-down = Dejar de ser administrador
organization-admin-hint = Para añadir un administrador, abra uno de los equipos de la organización y elija allí a un miembro. Una organización siempre conserva al menos un administrador.
organization-admin-added = Se ha añadido el nuevo administrador.
organization-admin-removed = Se ha quitado al administrador.

# El espacio de trabajo
nav-workspace = Mis procesos
workspace-title = Mis procesos
workspace-lead = Los procesos de coproducción que usted lleva o en los que participa con un equipo.
workspace-processes = Procesos
workspace-none = Todavía no lleva ni participa en ningún proceso. Cree uno, o pida entrar en un equipo que participe en alguno.
process-new = Nuevo proceso
process-create = Crear el proceso
process-title-label = Título
process-title-hint = Hasta 200 caracteres en una línea.
process-title-invalid = Escriba un título de hasta 200 caracteres en una línea
process-organization-label = Organización
process-organization-hint = El proceso pertenece a esta organización; debe ser miembro o administrador de ella.
process-organization-invalid = Elija una organización a la que pertenezca
process-language-label = Idioma
process-language-hint = El idioma en el que se lleva el proceso.
process-language-invalid = Elija el idioma en el que se lleva el proceso
process-description-hint = De qué trata el proceso, para quienes participarán.
process-description-invalid = Escriba una descripción de hasta 10.000 caracteres
process-public = Cualquiera puede seguir este proceso
process-no-organization = Un proceso pertenece a una organización, y todavía no ve ninguna.
process-created = Se ha creado el proceso: usted lo administra.
process-deleted = Se ha eliminado el proceso.

workspace-none-filtered = Ninguno de sus procesos cumple estos filtros.

# Planificar y trabajar en un proceso
process-planned = Se ha trazado el plan a partir del esquema.
task-status-saved = Se ha guardado el estado de la tarea.
process-plan-choose = Planificarlo a partir de un esquema
process-plan-preview = verlo
process-plan-build = Trazar el plan
task-status-label = Estado de { $task }
task-status-save = Cambiar
task-blocked-title = Esta tarea todavía no puede empezar
task-blocked-text = «{ $task }» espera a estos, que van antes y no han terminado:
task-blocked-back = Volver al proceso

# Ajustes de un proceso
process-settings = Ajustes
process-settings-title = Ajustes de { $name }
process-aim-label = Su objetivo (opcional)
process-idea-label = La idea (opcional)
process-text-invalid = Escriba hasta 10.000 caracteres
process-more = Exportar y eliminar
process-export = Descargar todo el proceso (JSON)
process-delete = Eliminar el proceso
process-delete-title = ¿Eliminar { $name }?
process-delete-text = Su plan, recursos, contribuciones e historias se eliminan con él, para todos. No se puede deshacer; descárguelo antes para conservar una copia.
process-delete-button = Eliminar el proceso

# Contar y valorar historias
story-new = Contar su historia
story-new-lead = Lo que el proceso logró y aprendió, para quienes lleven otro parecido. Puede leerla quien pueda ver el proceso.
story-title-label = Título
story-title-invalid = Escriba un título de hasta 200 caracteres en una línea
story-words-hint = Separadas por comas.
story-words-invalid = Indique hasta 30, de hasta 60 caracteres cada una, separadas por comas
story-publish = Publicar la historia
story-published = Se ha publicado la historia.
story-rate = Su valoración de esta historia
story-rate-button = Guardar mi valoración
story-rated = Gracias: su valoración se ha guardado.

# La guía
process-tabs-label = Partes del proceso
process-tab-overview = Resumen
process-tab-guide = Guía
guide-empty = El proceso aún no tiene plan: planifíquelo desde un esquema en su resumen.
guide-phases = Fases
guide-tree = Objetivos y tareas de la fase
item-kind-phase = Fase
item-kind-objective = Objetivo
item-kind-task = Tarea
item-add-phase = Añadir una fase
item-add-objective = Añadir un objetivo
item-add-task = Añadir una tarea
item-title = Título
item-description = Descripción
item-start = Fecha de inicio
item-end = Fecha de fin
item-problems = Problemas que aborda
item-problems-hint = Códigos de perfiles de problema, separados por comas.
item-save = Guardar
item-edit = Editar
item-status = Estado
item-prerequisites = Va después de
item-prerequisites-edit = Elegir qué va antes
item-prerequisites-legend = Este elemento empieza cuando estos terminen
item-prerequisites-cycle = Estos darían vueltas en círculo, cada uno esperando al siguiente:
item-prerequisites-invalid = Elija elementos junto a este, cada uno una vez
item-disabled-mark = desactivado
item-is-disabled = Este elemento está desactivado: se conserva, pero ya no cuenta para el progreso.
item-copy = Copiarlo con todo lo que contiene
item-disable = Desactivarlo
item-disable-title = ¿Desactivar { $name }?
item-disable-text = Él y todo lo que contiene dejan de contar para el progreso y no admiten más cambios. Se conservan, con quién los desactivó y cuándo.
item-title-invalid = Escriba un título de hasta 200 caracteres
item-date-invalid = Indique una fecha real (año, mes, día)
item-end-invalid = El fin no puede ser anterior al inicio
item-problems-invalid = Indique códigos de perfiles de problema conocidos (minúsculas, cifras y guiones), cada uno una vez
item-added = Se ha añadido el elemento.
item-copied = Esta es la copia.
item-disabled = Se ha desactivado el elemento.
item-resources = Recursos
item-resources-none = Aún no hay recursos.
asset-added-by = Añadido por { $name }
asset-recommended = Recomendados para los problemas de esta tarea
asset-use = Usar { $name }
asset-from-catalogue = Del catálogo
asset-search-label = Buscar un recurso en el catálogo
asset-search-none = Nada del catálogo coincide.
asset-link = Añadir un enlace a un recurso externo
asset-link-name = Nombre
asset-link-uri = Dirección
asset-link-uri-hint = Empieza por https://
asset-link-add = Añadir el enlace
asset-link-name-invalid = Escriba un nombre de hasta 200 caracteres
asset-link-uri-invalid = Indique una dirección que empiece por https:// o http://
asset-added = Se ha añadido el recurso.
asset-delete = Eliminar { $name }
asset-delete-text = El recurso deja la tarea para todos. No se puede deshacer.
asset-delete-button = Eliminar el recurso
asset-deleted = Se ha eliminado el recurso.
asset-preparing = Preparándose en su interlinker…
asset-prepare-failed = No se pudo crear en su interlinker: { $reason }
asset-retry = Intentar crear { $name } de nuevo
asset-retried = El recurso se está preparando de nuevo.
asset-open = Abrir { $name }
item-permissions = Permisos
may-lead = Aquí puede:
may-nothing = Aquí solo puede leer.
may-administer = administrar el proceso
may-edit-tree = cambiar el plan
may-set-status = cambiar el estado de las tareas
may-access-assets = abrir sus recursos
may-create-assets = añadir recursos
may-delete-assets = eliminar recursos
item-grants = Equipos con derechos aquí
grant-access-assets = abrir recursos
grant-create-assets = añadir recursos
grant-delete-assets = eliminar recursos
grant-on-process = en todo el proceso
a-team = Un equipo
item-contributions = Contribuciones
claims-none = Aún no se han declarado contribuciones.
claim-new = Declarar una contribución
claim-kind = Tipo de trabajo
claim-kind-management = Gestión
claim-kind-development = Desarrollo
claim-kind-exploitation = Explotación
claim-description = Lo que hizo
claim-description-invalid = Escriba hasta 2.000 caracteres
claim-make = Declararla
claim-made = Su declaración se ha enviado a quienes administran el proceso.
claim-pending = pendiente de decisión
claim-accepted = aceptada
claim-rejected = rechazada
claim-accept = Aceptar
claim-reject = Rechazar
claim-decided = Se ha guardado la decisión.

# El equipo de un proceso
process-tab-team = Equipo
process-administrators = Administradores del proceso
process-administrator-remove = Quitar a { $name } como administrador
process-administrator-candidates = Miembros de los equipos que participan
process-administrator-add = Hacer administrador a { $name }
grants-title = Equipos y sus derechos
grants-none = Ningún equipo tiene aún derechos en este proceso.
grant-team = Equipo
grant-item = Dónde
grant-rights = Derechos
grant-revoke = Retirar
grant-revoke-team = Retirar los derechos de { $name }
grant-new = Dar derechos a un equipo
grant-no-teams = La organización aún no tiene equipos.
grant-make = Dar estos derechos
grant-made = El equipo tiene sus derechos.
grant-revoked = Se han retirado los derechos.
grant-team-invalid = Elija un equipo
grant-item-invalid = Elija el proceso o uno de sus elementos
grant-rights-invalid = Elija al menos un derecho

# El plan de trabajo
process-tab-workplan = Plan de trabajo
workplan-zoom = Escala
workplan-zoom-day = Días
workplan-zoom-week = Semanas
workplan-zoom-month = Meses
workplan-download = Descargar el gráfico (SVG)
workplan-lead = Cada barra va del inicio al fin de un elemento, rellena hasta donde ha avanzado. Cada nombre lleva al elemento en la guía.
workplan-arrows = Las flechas van de lo que va primero a lo que lo espera.
workplan-no-dates = Ninguna tarea tiene fechas aún: dé a las tareas sus fechas de inicio y fin en la guía.

# Los recursos de un proceso
process-tab-resources = Recursos
filter-any = Cualquiera
resources-interlinker = Interlinker
resources-nature = Tipo
resources-creator = Añadido por
resources-added = Añadido el
resources-count = { $count ->
    [one] Un recurso
   *[other] { $count } recursos
}
resources-none = El proceso aún no tiene recursos: añádalos a sus tareas en la guía.
resources-none-filtered = Ningún recurso coincide con estos filtros.
asset-link-nature = Enlace

# El seguimiento de un proceso
process-tab-monitoring = Seguimiento
monitoring-process = Este proceso
monitoring-organization = Su organización
monitoring-organization-lead = Las cifras de adopción de toda la organización, al día a medida que ocurren las cosas. Las barras muestran los cambios de cada día en los últimos 30 días.
monitoring-series = Cambio en los últimos 30 días: { $change }
monitoring-trail = Lo ocurrido en este proceso
kpi-process-assets = Recursos
kpi-active-7 = Personas activas, últimos 7 días
kpi-active-30 = Personas activas, últimos 30 días
kpi-processes = Procesos
kpi-assets = Recursos
kpi-claims = Contribuciones declaradas
kpi-claims-accepted = Contribuciones aceptadas
kpi-stories = Historias publicadas
kpi-teams = Equipos
kpi-participants = Personas en equipos
kpi-interlinkers-used = Interlinkers usados
kpi-cloned-processes = Procesos clonados
kpi-co-delivered-processes = Procesos prestados en común
trail-valid = El registro está íntegro: { $entries } entradas comprobadas, ninguna alterada.
trail-broken = El registro está roto en la entrada { $sequence }: { $reason }
trail-filter-model = Qué cambió
trail-none = Aún no ha ocurrido nada aquí.
trail-when = Cuándo (UTC)
trail-who = Quién
trail-what = Qué
trail-the-platform = La plataforma
trail-model-process = Proceso
trail-model-item = Elemento del plan
trail-model-task = Tarea
trail-model-grant = Derechos
trail-model-asset = Recurso
trail-model-claim = Contribución
trail-model-story = Historia
trail-action-created = creado
trail-action-updated = cambiado
trail-action-deleted = eliminado
trail-action-schema-set = planificado desde un esquema
trail-action-schema-cleared = plan vaciado
trail-action-cloned = clonado
trail-action-imported = importado
trail-action-added = añadido
trail-action-removed = retirado
trail-action-copied = copiado
trail-action-disabled = desactivado
trail-action-status-changed = cambio de estado
trail-action-submitted = declarada
trail-action-decided = decidida
trail-action-published = publicada
trail-action-rated = valorada

# El resumen de un proceso: pasos y actividad
wizard-title = Preparar el proceso
wizard-data = Describir el proceso y elegir quién lo administra
wizard-schema = Planificarlo desde un esquema
wizard-teams = Incorporar equipos
wizard-permissions = Permitir que los equipos trabajen en él
wizard-resources = Añadir recursos a las tareas
wizard-ready = Empezar la primera tarea
wizard-done = hecho
wizard-pending = pendiente
process-activity = Actividad reciente
process-activity-all = Toda la actividad

# Importar, clonar y vaciar procesos
import-title = Importar un proceso
import-lead = Cree un proceso nuevo desde un archivo descargado en los ajustes de un proceso, aquí o en otro Interlink.
import-file = El archivo del proceso (JSON)
import-file-hint = Un archivo del formato interlink.process/1, de hasta 2 MB.
import-button = Importarlo
import-file-missing = Elija el archivo que importar
import-file-unreadable = No se pudo leer el archivo como texto
import-objections = El archivo no se ha importado. Cada lugar del archivo que hay que corregir:
import-too-large-title = El archivo es demasiado grande
import-too-large-text = Un archivo de proceso puede ocupar hasta 2 MB.
process-imported = Se ha importado el proceso.
process-clone = Clonarlo
process-clone-title = Título del proceso nuevo
process-clone-hint = Si lo deja vacío, será este título seguido de «(copia)».
process-clone-grants = Dar a los equipos los mismos derechos en el proceso nuevo
process-clone-button = Crear un proceso nuevo como este
process-cloned = Este es el proceso nuevo, hecho como aquel del que se clonó.
process-clear = Vaciar el plan
process-clear-title = ¿Vaciar el plan de { $name }?
process-clear-text = Sus fases, objetivos y tareas se eliminan, con sus recursos y contribuciones, para poder planificarlo de nuevo. No se puede deshacer; descargue el proceso antes para conservar una copia.
process-clear-button = Vaciar el plan
process-cleared = Se ha vaciado el plan: vuelva a planificar el proceso desde un esquema.
story-clone = Hacerlo de nuevo
story-clone-lead = Empiece un proceso nuevo en la misma organización, planificado como aquel del que habla esta historia.
story-clone-button = Empezar un proceso como este

# Buscar y ordenar listas de procesos
filter-words = Palabras del título
filter-tag = Etiqueta
filter-sort = Orden
sort-newest = Más recientes primero
sort-oldest = Más antiguos primero
sort-title = Por título
sort-updated = Cambiados recientemente primero
process-tags = Etiquetas
process-tags-invalid = Indique hasta 50 etiquetas de hasta 60 caracteres cada una, separadas por comas
asset-instantiate = Crearlo en su propia página
instantiate-title = Crear un recurso en su interlinker
instantiate-lead = Rellene la página del interlinker que aparece a continuación. Cuando haya creado el recurso, este se añadirá a la tarea.
instantiate-noscript = Esta página necesita JavaScript. Sin él, use el botón «Usar» del recurso: la plataforma lo crea por usted.
instantiate-frame = La página del interlinker
nav-notifications = Notificaciones
bell-unseen = { $count ->
    [one] , { $count } sin ver
   *[other] , { $count } sin ver
}
notifications-title = Notificaciones
notifications-archive-title = Notificaciones archivadas
notifications-views = Notificaciones que mostrar
notifications-inbox = Bandeja de entrada
notifications-archived = Archivadas
notifications-unseen-count = { $count ->
    [one] Tienes { $count } notificación sin ver.
   *[other] Tienes { $count } notificaciones sin ver.
}
notifications-mark-all = Marcar todas como vistas
notifications-mark-seen = Marcar como vista
notifications-archive = Archivar
notifications-new = Nueva
notifications-none = Aún no hay nada que contarte. Aquí sabrás cuando algo te concierna: un equipo, una tarea, una solicitud o un proceso.
notifications-none-archived = No has archivado ninguna notificación.
notifications-older = Notificaciones anteriores
notifications-all-seen = Todas tus notificaciones están marcadas como vistas.
notifications-archived-done = La notificación está archivada.
preferences-title = Preferencias de notificación
preferences-tab = Preferencias
preferences-lead = Todo aparece en tu bandeja de entrada. Elige qué notificaciones te llegan también por correo electrónico, y cuándo.
preferences-address = Los correos van a { $address }, la dirección de tu cuenta de acceso.
preferences-no-address = Tu cuenta de acceso no tiene dirección de correo electrónico, así que no se te envía ningún correo.
preferences-email-off = Esta plataforma no envía correos: tus notificaciones quedan en tu bandeja de entrada.
preferences-save = Guardar mis preferencias
preferences-immediate = Por correo al momento
preferences-daily = En un resumen diario por correo
preferences-never = Solo en mi bandeja de entrada
preference-team-member-added = Cuando me añaden a un equipo
preference-team-member-removed = Cuando me quitan de un equipo
preference-team-granted = Cuando un equipo mío recibe un proceso o una parte de uno
preference-application-submitted = Cuando alguien solicita unirse a un equipo que administro
preference-application-decided = Cuando se decide mi solicitud para unirme a un equipo
preference-invitation = Cuando me invitan a unirme a un equipo
preference-claim-submitted = Cuando alguien declara trabajo en un proceso que administro
preference-claim-decided = Cuando se decide mi declaración de trabajo
preference-task-startable = Cuando una tarea de mi equipo puede empezar
preference-process-finished = Cuando termina un proceso en el que participo
preference-story-published = Cuando se publica una historia de un proceso en el que participo
unsubscribe-title = Dejar de recibir correos
unsubscribe-lead = ¿Dejar de recibir los correos de este enlace? Seguirás viendo todas las notificaciones en tu bandeja de entrada.
unsubscribe-button = Dejar de recibir estos correos
unsubscribe-preferences = Cambiar tus preferencias de notificación
unsubscribed-kind = Hecho. No recibirás más correos de este tipo: { $kind }.
unsubscribed-all = Hecho. No recibirás más correos de notificaciones.
unsubscribe-invalid-title = Este enlace no funciona
unsubscribe-invalid-text = El enlace para darse de baja está incompleto o no lo ha enviado esta plataforma. Inicia sesión para cambiar tus preferencias de notificación.
your-notifications-download = Descargar mis notificaciones y sus preferencias (JSON)
