'use strict';
module.exports = { order: 10, format: (text) => `${text}!` };
