import { USER_COLUMNS } from '../columns.js'

/** Table columns in reading order (each one of USER_COLUMNS), with their headings. */
export const DISPLAY: [column: string, heading: string][] = [
  ['status', 'Status'],
  ['userPrincipalName', 'User principal name'],
  ['displayName', 'Display name'],
  ['userType', 'Type'],
  ['daysInactive', 'Days inactive'],
  ['lastActivityDateTime', 'Last activity'],
  ['accountEnabled', 'Enabled'],
  ['neverSignedIn', 'Never'],
  ['createdDateTime', 'Created'],
  ['lastSignInDateTime', 'Last sign-in'],
  ['lastNonInteractiveSignInDateTime', 'Last non-interactive'],
  ['lastSuccessfulSignInDateTime', 'Last successful'],
  ['reason', 'Reason'],
  ['id', 'Object ID']
]

/**
 * The page's one script, inline (the Content-Security-Policy allows it by its hash). It reads the
 * users from the `<script type="application/json" id="users-data">` block (rows of values in
 * USER_COLUMNS order) and draws only the table rows in view, so 100,000 users scroll as easily as
 * 100. Every value reaches the page through textContent or a property, never as markup.
 * Plain JavaScript that any current browser runs as it is; no template literals inside.
 */
export const SCRIPT = `(function () {
'use strict';
var COLUMNS = ${JSON.stringify(USER_COLUMNS)};
var DISPLAY = ${JSON.stringify(DISPLAY)};
var ROW_HEIGHT = 28;
var OVERSCAN = 8;
var at = {};
COLUMNS.forEach(function (name, index) { at[name] = index; });
var shownColumns = DISPLAY.map(function (entry) { return at[entry[0]]; });

var rows = JSON.parse(document.getElementById('users-data').textContent);
var viewport = document.getElementById('viewport');
var body = document.getElementById('rows');
var head = document.getElementById('head');
var shown = document.getElementById('shown');
var search = document.getElementById('search');
var typeSelect = document.getElementById('type');
var statusBoxes = document.getElementById('statuses');

/* order: every row index in the current sort; view: the rows of order that pass the filters. */
var order = rows.map(function (_, index) { return index; });
var view = order;
var sortColumn = -1;
var sortDirection = 1;

/* The type filter's value for a user type; '*' is "every type". */
function typeKey(type) { return type === null ? '' : type; }

function cellText(column, value) {
  if (value === null) return column === at.daysInactive ? 'never' : '';
  if (value === true) return 'yes';
  if (value === false) return 'no';
  if (typeof value === 'string' && /^\\d{4}-\\d\\d-\\d\\dT/.test(value)) return value.slice(0, 10);
  if (Array.isArray(value)) return value.join('; ');
  return String(value);
}

/* Sort keys per column, built on first use: numbers, or lower-cased text. */
var keys = {};
function sortKeys(column) {
  if (keys[column]) return keys[column];
  keys[column] = rows.map(function (row) {
    var value = row[column];
    if (column === at.daysInactive) return value === null ? Infinity : value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === null) return '';
    return typeof value === 'number' ? value : value.toLowerCase();
  });
  return keys[column];
}

var haystack = null;
function matchesText(index, needle) {
  if (haystack === null) {
    haystack = rows.map(function (row) {
      return [row[at.userPrincipalName], row[at.displayName], row[at.id], row[at.reason]].join('\\n').toLowerCase();
    });
  }
  return haystack[index].indexOf(needle) !== -1;
}

function applyFilters() {
  var statuses = {};
  statusBoxes.querySelectorAll('input').forEach(function (box) { statuses[box.value] = box.checked; });
  var type = typeSelect.value;
  var needle = search.value.trim().toLowerCase();
  view = order.filter(function (index) {
    var row = rows[index];
    if (!statuses[row[at.status]]) return false;
    if (type !== '*' && typeKey(row[at.userType]) !== type) return false;
    return needle === '' || matchesText(index, needle);
  });
  shown.textContent = view.length === rows.length
    ? rows.length + ' users'
    : view.length + ' of ' + rows.length + ' users';
  shown.dataset.count = String(view.length);
  shown.dataset.text = needle;
  body.style.height = view.length * ROW_HEIGHT + 'px';
  viewport.scrollTop = 0;
  render();
}

function sortBy(column) {
  sortDirection = column === sortColumn ? -sortDirection : column === at.daysInactive ? -1 : 1;
  sortColumn = column;
  var key = sortKeys(column);
  var direction = sortDirection;
  order = order.slice().sort(function (a, b) {
    var x = key[a];
    var y = key[b];
    return x < y ? -direction : x > y ? direction : a - b;
  });
  head.querySelectorAll('[role=columnheader]').forEach(function (cell) {
    cell.setAttribute('aria-sort', Number(cell.dataset.column) === column
      ? (direction === 1 ? 'ascending' : 'descending') : 'none');
  });
  applyFilters();
}

/* The pool of row elements; only as many as fit in the viewport (plus OVERSCAN each side). */
var pool = [];
function rowElement(index) {
  while (pool.length <= index) {
    var element = document.createElement('div');
    element.className = 'row';
    element.setAttribute('role', 'row');
    shownColumns.forEach(function () {
      var cell = document.createElement('div');
      cell.setAttribute('role', 'cell');
      element.appendChild(cell);
    });
    body.appendChild(element);
    pool.push(element);
  }
  return pool[index];
}

function render() {
  var first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
  var count = Math.ceil(viewport.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
  for (var slot = 0; slot < Math.max(count, pool.length); slot++) {
    var element = rowElement(slot);
    var position = first + slot;
    if (slot >= count || position >= view.length) {
      element.hidden = true;
      continue;
    }
    var row = rows[view[position]];
    element.hidden = false;
    element.style.transform = 'translateY(' + position * ROW_HEIGHT + 'px)';
    element.dataset.id = row[at.id];
    for (var cellIndex = 0; cellIndex < shownColumns.length; cellIndex++) {
      var column = shownColumns[cellIndex];
      var cell = element.children[cellIndex];
      var text = cellText(column, row[column]);
      cell.textContent = text;
      cell.title = row[column] === null ? '' : String(row[column]);
      if (column === at.status) cell.className = 'status s-' + text;
    }
  }
}

/* The CSV export: the same cells as the CSV report (RFC 4180, formula cells prefixed with '). */
function csvCell(value) {
  if (value === null) return '';
  /* Lists (licences, roles) are one ;-joined cell, as in the CSV report. */
  if (Array.isArray(value)) value = value.join(';');
  var text = String(value);
  if (typeof value === 'string' && /^[=+\\-@\\t\\r]/.test(text)) text = "'" + text;
  return /[,"\\r\\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}
function exportCsv() {
  var lines = [COLUMNS.join(',')];
  view.forEach(function (index) { lines.push(rows[index].map(csvCell).join(',')); });
  var blob = new Blob([lines.join('\\r\\n') + '\\r\\n'], { type: 'text/csv;charset=utf-8' });
  var link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'entra-signin-report-filtered.csv';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
}

/* Header cells, the status check boxes and the type list, all built from the data. */
DISPLAY.forEach(function (entry) {
  var cell = document.createElement('div');
  cell.setAttribute('role', 'columnheader');
  cell.setAttribute('aria-sort', 'none');
  cell.dataset.column = String(at[entry[0]]);
  var button = document.createElement('button');
  button.type = 'button';
  button.textContent = entry[1];
  button.title = 'Sort by ' + entry[1];
  button.addEventListener('click', function () { sortBy(at[entry[0]]); });
  cell.appendChild(button);
  head.appendChild(cell);
});
var perStatus = {};
var perType = {};
rows.forEach(function (row) {
  perStatus[row[at.status]] = (perStatus[row[at.status]] || 0) + 1;
  var type = typeKey(row[at.userType]);
  perType[type] = (perType[type] || 0) + 1;
});
['stale', 'warn', 'active', 'excluded', 'skipped'].forEach(function (status) {
  var label = document.createElement('label');
  var box = document.createElement('input');
  box.type = 'checkbox';
  box.value = status;
  box.checked = true;
  box.addEventListener('change', applyFilters);
  label.appendChild(box);
  label.appendChild(document.createTextNode(' ' + status + ' (' + (perStatus[status] || 0) + ')'));
  statusBoxes.appendChild(label);
});
Object.keys(perType).sort(function (a, b) { return perType[b] - perType[a]; }).forEach(function (type) {
  var option = document.createElement('option');
  option.value = type;
  option.textContent = (type === '' ? '(no type)' : type) + ' (' + perType[type] + ')';
  typeSelect.appendChild(option);
});
typeSelect.addEventListener('change', applyFilters);
var typing = 0;
search.addEventListener('input', function () {
  clearTimeout(typing);
  typing = setTimeout(applyFilters, 120);
});
document.getElementById('export').addEventListener('click', exportCsv);
var frame = 0;
viewport.addEventListener('scroll', function () {
  if (frame === 0) frame = requestAnimationFrame(function () { frame = 0; render(); });
});
window.addEventListener('resize', render);
document.getElementById('controls').hidden = false;
applyFilters();
performance.mark('first-render');
document.documentElement.dataset.rendered = 'true';
})();
`
