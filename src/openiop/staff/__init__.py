"""Staff administration: the administrator's pages for the organization's staff accounts
(create, edit, deactivate, reset two-step sign-in, invite). An account belongs to accounts
and the programs a person works in to programs, while programs' own pages need accounts'
policies and roles; the form that offers the organization's programs to a staff account
needs both, so these pages sit in a room above the two. Not a Django app: no models; the
write functions stay in accounts.services. The URLs keep their /accounts/users/ paths."""
